import type { EvaluationResult, RowChange, StateResponse, Value } from "@terrarium/wire";
import { firstFile, type StateCapture } from "../capture/capture.js";
import { namesTable } from "../capture/noise.js";
import { conflict, notFound } from "../errors.js";
import { evaluate, type EnvChanges, type EvalFn, type LiveAccess } from "../eval/evaluate.js";
import type { Judge } from "../eval/judge.js";
import type { Runtime } from "../runtime/runtime.js";
import type { JobRecord } from "../store/store.js";
import type { SessionService } from "./sessions.js";
import type { TaskCatalog } from "./tasks.js";

const QUERY_TIMEOUT_MS = 10_000;

export interface EvaluationServiceOptions {
  sessions: SessionService;
  tasks: TaskCatalog;
  capture: StateCapture;
  runtime: Runtime;
  judge?: Judge;
  fns?: Map<string, EvalFn>;
}

/** Scores a session made from a task: its captured state and live reads against the task's criteria. */
export class EvaluationService {
  constructor(private readonly o: EvaluationServiceOptions) {}

  async evaluate(sessionId: string, answer: string | undefined): Promise<EvaluationResult> {
    const details = this.o.sessions.details(sessionId);
    if (details.status === "closed") throw conflict(`session "${sessionId}" is closed`);
    if (!details.task_public_id)
      throw conflict(`session "${sessionId}" was not made from a task: there are no criteria to evaluate it against`);
    const loaded = this.o.tasks.get(details.task_public_id);
    if (!loaded) throw notFound(`the task "${details.task_public_id}" of this session is no longer installed`);

    const envs = this.o.sessions.environments({ sessionId });
    const byAlias = new Map(envs.map((e) => [e.job.alias, e.job]));
    const scope = { sessionId };
    const perAlias = (response: StateResponse): Record<string, EnvChanges> =>
      Object.fromEntries(
        envs.map(({ job }) => {
          const r = response.results[job.id];
          return [job.alias, r?.state ? { dbs: r.state.dbs, files: r.state.files } : { error: r?.error ?? "no state" }];
        }),
      );
    const net = perAlias(await this.o.sessions.state(scope, { mode: "net", noise: true }));
    let raw: Promise<Record<string, EnvChanges>> | undefined;
    const rawNet = () => (raw ??= this.o.sessions.state(scope, { mode: "net", noise: false }).then(perAlias));

    const jobOf = (alias: string): JobRecord => {
      const job = byAlias.get(alias);
      if (!job) throw new Error(`no environment "${alias}" in this session`);
      if (job.status !== "running" || !job.containerId) throw new Error(`${alias} is ${job.status}`);
      return job;
    };
    const target = (alias: string) => this.o.sessions.captureTarget(jobOf(alias));
    const live: LiveAccess = {
      rows: async (alias, table, from) => {
        const t = target(alias);
        const engine = t.manifest.state.databases[0]?.engine;
        const sql = `SELECT * FROM ${quoteTable(table, engine)}`;
        if (from === "live" || engine === "sqlite") {
          return (await this.o.capture.query(t, { sql, from, timeoutMs: QUERY_TIMEOUT_MS })).rows;
        }
        // PostgreSQL and MariaDB keep no baseline copy: the live rows with the net changes undone.
        const rows = (await this.o.capture.query(t, { sql, timeoutMs: QUERY_TIMEOUT_MS })).rows;
        const state = (await rawNet())[alias];
        if (!state || "error" in state)
          throw new Error(`cannot read the baseline of ${alias}: ${state?.error ?? "no state"}`);
        return undoChanges(
          rows,
          state.dbs.flatMap((db) => db.changes).filter((c) => namesTable(table, c.table)),
        );
      },
      query: async (alias, sql, params) =>
        (await this.o.capture.query(target(alias), { sql, params, timeoutMs: QUERY_TIMEOUT_MS })).rows,
      file: async (alias, path) => {
        try {
          return (await firstFile(await this.o.runtime.archive(jobOf(alias).containerId!, path))).toString("utf8");
        } catch {
          return undefined;
        }
      },
      http: async (alias, path) => {
        const job = jobOf(alias);
        const info = await this.o.runtime.inspectEnvironment(job.containerId!);
        const port = envs.find((e) => e.job.id === job.id)?.manifest?.app_port;
        if (!info?.address || !port) throw new Error(`${alias} has no address or app port`);
        const response = await fetch(`http://${info.address}:${port}${path}`, {
          signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
        });
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: matched as text
        }
        return { status: response.status, body, text };
      },
    };
    const result = await evaluate({
      task: loaded.task,
      net,
      log: async () => perAlias(await this.o.sessions.state(scope, { mode: "log", noise: true })),
      answer,
      live,
      judge: this.o.judge,
      fns: this.o.fns,
    });
    this.o.sessions.log.record(
      sessionId,
      "evaluate",
      `evaluated against ${result.task_id}: score ${result.score}, ${result.success ? "success" : "not done"}${result.status === "error" ? " (a check could not run)" : ""}`,
      {
        data: {
          task_id: result.task_id,
          score: result.score,
          success: result.success,
          status: result.status,
          ...(answer !== undefined ? { answer: answer.slice(0, 4096) } : {}),
        },
      },
    );
    return result;
  }
}

/** Identifiers quoted for the engine: "public"."issues", `wikidb`.`page`. */
function quoteTable(table: string, engine: string | undefined): string {
  const parts = table.split(".");
  if (parts.some((p) => !/^[A-Za-z_][\w$]*$/.test(p))) throw new Error(`not a table name: ${table}`);
  return parts.map((p) => (engine === "mariadb" ? `\`${p}\`` : `"${p}"`)).join(".");
}

/** The rows as they were before `changes` (net, oldest state first): inserts removed, the rest restored. */
function undoChanges(rows: Record<string, Value>[], changes: Omit<RowChange, "id">[]): Record<string, Value>[] {
  const key = (pk: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(pk)
        .sort()
        .map((k) => [k, pk[k]]),
    );
  const pkOf = (row: Record<string, Value>, pk: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(pk).map((k) => [k, row[k]]));
  const result = [...rows];
  for (const change of changes) {
    const at = result.findIndex((row) => key(pkOf(row, change.pk)) === key(change.pk));
    if (change.op === "insert" && at >= 0) result.splice(at, 1);
    else if (change.op === "update" && at >= 0 && change.before) result[at] = change.before;
    else if (change.op === "delete" && change.before) result.push(change.before);
  }
  return result;
}
