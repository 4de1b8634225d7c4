// How many fossil environments can be alive at once on this machine: sessions started one by one
// (server without pool, ready artifacts off, so each boots) up to BENCH_SCALE_MAX (60), stopping early
// when one fails or the host's available memory falls under 2 GiB. After each start the new
// environment must answer `execute true` and its app port through the environment proxy (its public
// URL); recorded per step: time to start, those two round trips, host memory in use (MemTotal -
// MemAvailable) and the sum of the environments' cgroup memory. At the end every environment must
// still answer execute; then all are closed. Writes bench/results/scale.json. Figures, not assertions.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Env, Terrarium, type Session } from "@terrarium/sdk";
import { loadConfig, startServer, type TerrariumServer } from "@terrarium/server";
import { figure, median, timed, saveFigures } from "./stats.js";

const run = promisify(execFile);
const MAX = Number(process.env.BENCH_SCALE_MAX ?? 60);
const MIN_AVAILABLE = 2 * 1024 ** 3;
const TARGET = 50;
process.env.TERRARIUM_READY_BOOT_MS = "off";

const mb = (bytes: number) => Math.round(bytes / 1024 ** 2);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Host memory from /proc/meminfo, in bytes. */
function hostMemory(): { total: number; available: number } {
  const text = readFileSync("/proc/meminfo", "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN) * 1024;
  return { total: field("MemTotal"), available: field("MemAvailable") };
}

/** The file holding a container's memory use: its cgroup's (v1 memory controller, or v2). */
async function memoryFile(container: string): Promise<string> {
  const { stdout } = await run("podman", ["inspect", "-f", "{{.State.Pid}}", container]);
  const cgroups = readFileSync(`/proc/${stdout.trim()}/cgroup`, "utf8");
  const v1 = /^\d+:memory:(.*)$/m.exec(cgroups)?.[1];
  if (v1) return `/sys/fs/cgroup/memory${v1}/memory.usage_in_bytes`;
  const v2 = /^0::(.*)$/m.exec(cgroups)?.[1];
  if (v2) return `/sys/fs/cgroup${v2}/memory.current`;
  throw new Error(`no memory cgroup for ${container} in /proc/${stdout.trim()}/cgroup`);
}

/** `execute true` and a GET of the app's public URL: whether each answered, and their times. */
async function answers(session: Session) {
  const env = session.envs[0]!;
  const [executeMs, result] = await timed(() => env.execute("true", { timeout: 30 }));
  const url = await env.getPublicUrl();
  const [httpMs, status] = await timed(async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  });
  return { executeMs, executeOk: result.exitCode === 0, httpMs, status };
}

interface Step {
  alive: number;
  start_ms: number;
  execute_ms: number;
  http_ms: number;
  http_status: number;
  host_used_mb: number;
  host_available_mb: number;
  environments_memory_mb: number;
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "terrarium-bench-"));
  let server: TerrariumServer | undefined;
  let client: Terrarium | undefined;
  const sessions: Session[] = [];
  const memoryFiles: string[] = [];
  const steps: Step[] = [];
  let stopped = `reached ${MAX}`;
  const final = { executeOk: 0, httpOk: 0, execute: [] as number[], closeMs: 0 };
  const before = hostMemory();
  try {
    server = await startServer(loadConfig({ home, port: 0, proxyPort: 0, logLevel: "warn", poolSize: 0 }));
    client = new Terrarium({ baseUrl: server.url });
    // One start not counted, so the image and the server's caches are warm.
    await (await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "warmup" })] })).close();
    while (sessions.length < MAX) {
      if (hostMemory().available < MIN_AVAILABLE) {
        stopped = `host available memory under ${mb(MIN_AVAILABLE)} MiB`;
        break;
      }
      let startMs: number;
      let session: Session;
      try {
        [startMs, session] = await timed(() =>
          client!.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] }),
        );
      } catch (error) {
        stopped = `start ${sessions.length + 1} failed: ${(error as Error).message}`;
        break;
      }
      sessions.push(session);
      memoryFiles.push(await memoryFile(`terrarium-${session.envs[0]!.jobId}`));
      const check = await answers(session);
      const memory = hostMemory();
      const used = memoryFiles.reduce((sum, file) => sum + Number(readFileSync(file, "utf8")), 0);
      steps.push({
        alive: sessions.length,
        start_ms: round1(startMs),
        execute_ms: round1(check.executeMs),
        http_ms: round1(check.httpMs),
        http_status: check.status,
        host_used_mb: mb(memory.total - memory.available),
        host_available_mb: mb(memory.available),
        environments_memory_mb: mb(used),
      });
      process.stderr.write(
        `${sessions.length} alive: start ${Math.round(startMs)} ms, execute ${check.executeOk ? "ok" : "FAILED"}, HTTP ${check.status}, host used ${mb(memory.total - memory.available)} MiB\n`,
      );
      if (!check.executeOk || check.status !== 200) {
        stopped = `environment ${sessions.length} did not answer (execute ${check.executeOk ? "ok" : "failed"}, HTTP ${check.status})`;
        break;
      }
    }
    for (const session of sessions) {
      const check = await answers(session);
      if (check.executeOk) final.executeOk++;
      if (check.status === 200) final.httpOk++;
      final.execute.push(check.executeMs);
    }
  } finally {
    if (client) {
      const started = performance.now();
      for (const session of sessions) await session.close().catch(() => undefined);
      final.closeMs = performance.now() - started;
      for (const session of await client.sessions.list().catch(() => []))
        await client.sessions.close(session.sessionId).catch(() => undefined);
      await client.close();
    }
    await server?.close();
    rmSync(home, { recursive: true, force: true });
  }

  const alive = sessions.length;
  const end = steps[steps.length - 1];
  if (!end) throw new Error(`no environment started: ${stopped}`);
  // The first and the last sixth of the starts, side by side: what the environments alive cost.
  const band = Math.max(1, Math.floor(steps.length / 6));
  const first = steps.slice(0, band);
  const last = steps.slice(-band);
  const span = (s: Step[]) => `${s[0]!.alive}-${s[s.length - 1]!.alive}`;
  const usedBefore = mb(before.total - before.available);
  const figures = [
    figure(
      `create -> ready with ${span(last)} alive`,
      last.map((s) => s.start_ms),
      {
        operation: `with ${span(first)} alive`,
        samples: first.map((s) => s.start_ms),
      },
    ),
    figure(
      `execute \`true\` with ${span(last)} alive`,
      last.map((s) => s.execute_ms),
      {
        operation: `with ${span(first)} alive`,
        samples: first.map((s) => s.execute_ms),
      },
    ),
    figure(
      `GET through the proxy with ${span(last)} alive`,
      last.map((s) => s.http_ms),
      {
        operation: `with ${span(first)} alive`,
        samples: first.map((s) => s.http_ms),
      },
    ),
    figure(`execute \`true\` on each of ${alive} alive, at the end`, final.execute),
  ];
  saveFigures("scale", "scale-fossil", alive, figures, {
    alive,
    target: { alive: TARGET, met: alive >= TARGET && final.executeOk === alive },
    stopped,
    at_the_end: { alive, executed: final.executeOk, http_200: final.httpOk, close_all_ms: round1(final.closeMs) },
    memory: {
      host_total_mb: mb(before.total),
      host_used_before_mb: usedBefore,
      host_used_at_the_end_mb: end.host_used_mb,
      host_used_per_environment_mb: round1((end.host_used_mb - usedBefore) / alive),
      environments_memory_mb: end.environments_memory_mb,
      environments_memory_per_environment_mb: round1(end.environments_memory_mb / alive),
      note: "host memory is the whole machine's (other work runs beside); environments' memory is their cgroups' usage (memory.usage_in_bytes, page cache included), as podman stats shows it",
    },
    median_start_ms: round1(median(steps.map((s) => s.start_ms))),
    steps,
  });
}

await main();
