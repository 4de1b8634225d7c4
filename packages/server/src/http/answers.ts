import type {
  EnvState,
  ExecuteResult,
  JobExecuteResult,
  JobState,
  JobStateResult,
  Mutation,
  SessionContext,
  SessionDetails,
} from "@terrarium/wire";

/*
 * The fields Plato's SDK requires of an answer, derived from what the services answer: pure shaping,
 * no domain decision (see wire/operations.ts).
 */

/** The session and its open environments, as Plato's `wait_for_ready` hands them to its client. */
export const contextOf = (session: SessionDetails): SessionContext => ({
  session_id: session.session_id,
  task_public_id: session.task_public_id,
  envs: session.envs
    .filter((job) => job.status !== "closed")
    .map((job) => ({ job_id: job.job_id, alias: job.alias, artifact_id: job.artifact_id, simulator: job.simulator })),
});

export const everySucceeded = (results: Record<string, { success: boolean }>): boolean =>
  Object.values(results).every((r) => r.success);

/** The one entry of a per-job answer that `/api/v2/jobs/{job_id}/...` answers bare. */
export function own<T>(results: Record<string, T>, jobId: string): T {
  const result = results[jobId];
  // A job's operation always answers for that job: this is a bug, answered as an internal error.
  if (result === undefined) throw new Error(`the operation answered nothing for job "${jobId}"`);
  return result;
}

export const mapResults = <A, B>(results: Record<string, A>, map: (result: A, jobId: string) => B) =>
  Object.fromEntries(Object.entries(results).map(([jobId, r]) => [jobId, map(r, jobId)]));

export const withSuccess = (r: ExecuteResult): JobExecuteResult => ({
  ...r,
  success: r.exit_code === 0 && r.error === undefined,
});

export const withMutations = (r: JobState): JobStateResult => ({
  success: r.state !== undefined,
  state: r.state ?? null,
  mutations: r.state ? mutationsOf(r.state) : [],
  ...(r.error !== undefined ? { error: r.error } : {}),
});

const actions = { insert: "INSERT", update: "UPDATE", delete: "DELETE" } as const;

/** Every row change of an environment's databases, as Plato's state lists its `mutations`. */
export const mutationsOf = (state: EnvState): Mutation[] =>
  state.dbs.flatMap((db) =>
    db.changes.map((change) => ({
      table_name: change.table,
      action: actions[change.op],
      values: change.after ?? change.before ?? change.pk,
      old_values: change.before,
      primary_key: change.pk,
      db: db.name,
      change_id: change.id,
    })),
  );
