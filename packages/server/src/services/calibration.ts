import { setTimeout as sleep } from "node:timers/promises";
import type { CalibrationReport, EnvState } from "@terrarium/wire";
import { badRequest, conflict, notFound } from "../errors.js";
import type { Runtime } from "../runtime/runtime.js";
import { containerName, type SessionService } from "./sessions.js";
import type { Simulator } from "../catalog/simulators.js";
import { webLogin } from "./web-login.js";

type TableOp = CalibrationReport["observed"][string][number];

const summarise = (state: EnvState): Record<string, TableOp[]> =>
  Object.fromEntries(
    state.dbs.map((db) => [
      db.name,
      db.changes.map((c) => ({ table: c.table, op: c.op, ...(c.changed ? { changed: c.changed } : {}) })),
    ]),
  );

/**
 * Finds a simulator's noise: starts an environment, logs in through the app's web login, browses
 * its home page, idles, and reads the state without noise rules. Whatever changed is noise. Proposes
 * rules (updates: their columns; inserts and deletes: their table) and reports what the current rules
 * still let through. With `jobId`, the environment is one the caller started and logged in to (a
 * browser login, for apps whose login is not an HTML form): it is idled and read, and left running.
 */
export async function calibrate(
  sessions: SessionService,
  runtime: Runtime,
  simulators: () => Map<string, Simulator>,
  name: string,
  options: { idleSeconds: number; jobId?: string },
): Promise<CalibrationReport> {
  const simulator = simulators().get(name);
  if (!simulator)
    throw notFound(`unknown simulator "${name}"; known simulators: ${[...simulators().keys()].join(", ")}`);
  if (options.jobId) {
    const job = sessions.jobDetails(options.jobId);
    if (job.simulator !== name)
      throw badRequest(
        `job_id: job ${options.jobId} runs ${job.simulator ?? "an artifact"}, not the simulator ${name}`,
      );
    if (job.status !== "running")
      throw conflict(`job_id: job ${options.jobId} is ${job.status}; calibration reads a running environment`);
    return observe(sessions, name, options.jobId, options.idleSeconds, {
      ok: true,
      detail: `read environment ${options.jobId}, logged in to by the caller`,
    });
  }
  const { manifest } = simulator;
  const made = await sessions.make({
    type: "envs",
    wait: true,
    envs: [{ type: "simulator", simulator: name, tag: "latest", alias: "calibration" }],
    timeout: manifest.readiness.timeout,
    heartbeat_timeout: 900,
  });
  const jobId = made.envs[0]!.job_id;
  try {
    const job = sessions.jobDetails(jobId);
    if (job.status !== "running") throw new Error(job.error ?? "the environment did not start");
    const info = await runtime.inspectEnvironment(containerName(jobId));
    const base = `http://${info?.address}:${manifest.app_port}`;
    let login: CalibrationReport["login"] = { ok: false, detail: "the simulator declares no login" };
    if (manifest.login) {
      const outcome = await webLogin(base, manifest.login.path, manifest.login.username, manifest.login.password);
      login = {
        ok: outcome.ok,
        detail:
          outcome.ok || !manifest.login.steps
            ? outcome.detail
            : `${outcome.detail} (its login is not a plain HTML form? \`terrarium simulators calibrate ${name} --browser\` logs in with its browser steps)`,
      };
      for (const path of ["/", manifest.login.path]) {
        await fetch(new URL(path, base), {
          headers: { cookie: outcome.cookie },
          signal: AbortSignal.timeout(10_000),
        }).then((r) => r.arrayBuffer());
      }
    }
    return await observe(sessions, name, jobId, options.idleSeconds, login);
  } finally {
    await sessions.close({ sessionId: made.session_id }).catch(() => undefined);
  }
}

/** Idles, then reads the environment's state with and without noise rules, and proposes rules. */
async function observe(
  sessions: SessionService,
  name: string,
  jobId: string,
  idleSeconds: number,
  login: CalibrationReport["login"],
): Promise<CalibrationReport> {
  await sleep(idleSeconds * 1000);
  const raw = (await sessions.state({ jobId }, { mode: "net", noise: false })).results[jobId]!;
  const filtered = (await sessions.state({ jobId }, { mode: "net", noise: true })).results[jobId]!;
  if (!raw.state || !filtered.state) throw new Error(raw.error ?? filtered.error ?? "no state");
  const observed = summarise(raw.state);
  const proposed: CalibrationReport["proposed"] = {};
  for (const [db, changes] of Object.entries(observed)) {
    const tables = [...new Set(changes.filter((c) => c.op !== "update").map((c) => c.table))].sort();
    const columns = [
      ...new Set(
        changes
          .filter((c) => c.op === "update" && !tables.includes(c.table))
          .flatMap((c) => (c.changed ?? []).map((k) => `${c.table}.${k}`)),
      ),
    ].sort();
    proposed[db] = { tables, columns };
  }
  return {
    simulator: name,
    login,
    observed,
    proposed,
    remaining: summarise(filtered.state),
    files: filtered.state.files.map((f) => `${f.op} ${f.path}`),
  };
}
