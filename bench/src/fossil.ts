// Measures the life of a fossil environment through Terrarium (create -> ready, execute, reset, close)
// beside raw Podman doing the same in the same run: `podman run` until the app's port answers, and
// `podman exec`. Writes bench/results/fossil.json and prints a table. Figures, not assertions.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Env } from "@terrarium/sdk";
import { simulatorImage } from "@terrarium/server";
import { benchServer, podmanRunUntilHttpOk } from "./server.js";
import { figure, timed, saveFigures } from "./stats.js";

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const image = simulatorImage("fossil", "latest");

async function main(): Promise<void> {
  // The cold path (pool.ts measures the warm pool), as these figures always were.
  const bench = await benchServer({ poolSize: 0 });
  const { client } = bench;
  const samples = { create: [] as number[], execute: [] as number[], reset: [] as number[], close: [] as number[] };
  const baseline = { run: [] as number[], exec: [] as number[] };
  const execName = `terrarium-bench-exec-${process.pid}`;
  try {
    await run("podman", ["run", "-d", "--name", execName, image]);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate Terrarium and its baseline so drift on this shared machine hits both alike.
      const [createMs, session] = await timed(() =>
        client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] }),
      );
      samples.create.push(createMs);
      baseline.run.push(await podmanRunUntilHttpOk(image, 8080));
      const env = session.getEnv("forge")!;
      for (let i = 0; i < 3; i++) {
        samples.execute.push((await timed(() => env.execute("true")))[0]);
        baseline.exec.push((await timed(() => run("podman", ["exec", execName, "true"])))[0]);
      }
      samples.reset.push((await timed(() => session.reset()))[0]);
      samples.close.push((await timed(() => session.close()))[0]);
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
  } finally {
    await run("podman", ["rm", "-f", "-t", "0", execName]).catch(() => undefined);
    await bench.stop();
  }
  const figures = [
    figure("create -> ready (fossil)", samples.create, {
      operation: "podman run until HTTP 200",
      samples: baseline.run,
    }),
    figure("execute `true` round trip", samples.execute, { operation: "podman exec true", samples: baseline.exec }),
    figure("reset (fossil, until ready)", samples.reset, {
      operation: "podman run until HTTP 200",
      samples: baseline.run,
    }),
    figure("close", samples.close),
  ];
  saveFigures("fossil", "fossil-lifecycle", ROUNDS, figures);
}

await main();
