// getState() latency on fossil (SQLite, snapshot diff) with 0, 100 and 10,000 changed rows, each as
// a ratio to the empty state measured in the same run. Writes bench/results/state-sqlite.json.
// Rows are written straight into the repository with sqlite3: this measures capture, not the app.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Env, Terrarium } from "@terrarium/sdk";
import { loadConfig, startServer } from "@terrarium/server";
import { figure, printFigures, timed } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = [0, 100, 10_000];

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "terrarium-bench-"));
  const server = await startServer(loadConfig({ home, port: 0, logLevel: "warn" }));
  const client = new Terrarium({ baseUrl: server.url });
  const samples = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const counted = new Map<number, number>();
  try {
    const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const env = session.getEnv("forge")!;
    for (let round = 0; round < ROUNDS; round++) {
      for (const size of SIZES) {
        await session.reset();
        if (size > 0) {
          const sql = `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ${size}) INSERT INTO config(name, value, mtime) SELECT 'bench-' || x, 'value ' || x, 0 FROM n`;
          const written = await env.execute(`sqlite3 /data/project.fossil "${sql}"`);
          if (written.exitCode !== 0) throw new Error(written.stderr);
        }
        const [ms, state] = await timed(() => env.getState());
        samples.get(size)!.push(ms);
        counted.set(size, state.dbs[0]!.changes.length);
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
    await session.close();
  } finally {
    await client.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
  const empty = { operation: "getState, 0 changed rows", samples: samples.get(0)! };
  const figures = SIZES.map((size) =>
    size === 0
      ? figure(empty.operation, empty.samples)
      : figure(`getState, ${size} changed rows (${counted.get(size)} reported)`, samples.get(size)!, empty),
  );
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results", "state-sqlite.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ benchmark: "state-sqlite", simulator: "fossil", rounds: ROUNDS, measured_at: new Date().toISOString(), figures }, null, 2)}\n`,
  );
  printFigures(figures);
  console.log(`\nwritten to ${out}`);
}

await main();
