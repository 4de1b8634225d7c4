// Round trip of `execute` through the API and SDK, with the exec agent inside the environment beside
// podman exec (a second server in the same process whose environments start without the agent:
// TERRARIUM_EXEC_AGENT=off). Rounds alternate between the two so drift on this shared machine hits
// both alike. Writes bench/results/execute.json and prints a table. Figures, not assertions.
import { Env, type Environment } from "@terrarium/sdk";
import { benchServer, type BenchServer } from "./server.js";
import { figure, timed, saveFigures } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
/** 1 MB of output: what streaming stdout costs on each path. */
const LARGE = "yes | head -c 1000000";

interface Side extends BenchServer {
  env: Environment;
}

/** A server (with or without the exec agent) and one fossil environment on it. */
async function side(execAgent: boolean): Promise<Side> {
  const bench = await benchServer({ execAgent });
  const session = await bench.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
  return { ...bench, env: session.getEnv("forge")! };
}

async function main(): Promise<void> {
  let agent: Side | undefined;
  let podman: Side | undefined;
  const samples = {
    agent: [] as number[],
    podman: [] as number[],
    agentLarge: [] as number[],
    podmanLarge: [] as number[],
  };
  try {
    agent = await side(true);
    podman = await side(false);
    for (const s of [agent, podman]) for (let i = 0; i < 3; i++) await s.env.execute("true"); // warm up
    for (let round = 0; round < ROUNDS; round++) {
      samples.agent.push((await timed(() => agent!.env.execute("true")))[0]);
      samples.podman.push((await timed(() => podman!.env.execute("true")))[0]);
      if (round % 4 === 0) {
        samples.agentLarge.push((await timed(() => agent!.env.execute(LARGE)))[0]);
        samples.podmanLarge.push((await timed(() => podman!.env.execute(LARGE)))[0]);
      }
      if ((round + 1) % 10 === 0) process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
  } finally {
    await agent?.stop();
    await podman?.stop();
  }
  saveFigures("execute", "execute-round-trip", ROUNDS, [
    figure("execute `true` via API + SDK, exec agent", samples.agent, {
      operation: "the same through podman exec",
      samples: samples.podman,
    }),
    figure("execute with 1 MB of stdout, exec agent", samples.agentLarge, {
      operation: "the same through podman exec",
      samples: samples.podmanLarge,
    }),
  ]);
}

await main();
