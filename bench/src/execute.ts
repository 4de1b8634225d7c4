// Round trip of `execute` through the API and SDK, with the exec agent inside the environment beside
// podman exec (a second server in the same process whose environments start without the agent:
// TERRARIUM_EXEC_AGENT=off). Rounds alternate between the two so drift on this shared machine hits
// both alike. Writes bench/results/execute.json and prints a table. Figures, not assertions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Env, Terrarium, type Environment } from "@terrarium/sdk";
import { loadConfig, startServer, type TerrariumServer } from "@terrarium/server";
import { figure, timed, saveFigures } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
/** 1 MB of output: what streaming stdout costs on each path. */
const LARGE = "yes | head -c 1000000";

interface Side {
  server: TerrariumServer;
  client: Terrarium;
  home: string;
  env: Environment;
}

async function side(execAgent: boolean): Promise<Side> {
  const home = mkdtempSync(join(tmpdir(), "terrarium-bench-"));
  const server = await startServer(loadConfig({ home, port: 0, proxyPort: 0, logLevel: "warn", execAgent }));
  const client = new Terrarium({ baseUrl: server.url });
  const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
  return { server, client, home, env: session.getEnv("forge")! };
}

async function stop(s: Side | undefined): Promise<void> {
  if (!s) return;
  for (const session of await s.client.sessions.list()) await s.client.sessions.close(session.sessionId);
  await s.client.close();
  await s.server.close();
  rmSync(s.home, { recursive: true, force: true });
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
    await stop(agent);
    await stop(podman);
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
