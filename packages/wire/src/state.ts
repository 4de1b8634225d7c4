import { z } from "zod";

/** A captured value: scalars as JSON, bytes as {$b64}, big integers and decimals as strings. */
export const Value = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.object({ $b64: z.string() }),
  z.record(z.string(), z.unknown()),
  z.array(z.unknown()),
]);
export type Value = z.infer<typeof Value>;
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const RowChange = z.object({
  /** Stable within one answer, e.g. "forge:3". */
  id: z.string(),
  /** "deals" (sqlite), "public.deals" (postgres), "crm.deals" (mariadb). */
  table: z.string(),
  op: z.enum(["insert", "update", "delete"]),
  /** Primary key; `{"$rowid": n}` for SQLite tables without one. */
  pk: z.record(z.string(), Scalar),
  before: z.record(z.string(), Value).nullable(),
  after: z.record(z.string(), Value).nullable(),
  /** Updates only: the columns whose value differs. */
  changed: z.array(z.string()).optional(),
  seq: z.number().optional(),
  tx: z.string().optional(),
  ts: z.string().optional(),
});
export type RowChange = z.infer<typeof RowChange>;

export const DbState = z.object({
  /** The simulator's name for this database (its state source). */
  name: z.string(),
  engine: z.enum(["postgres", "mysql", "mariadb", "sqlite"]),
  database: z.string(),
  capture: z.object({
    method: z.enum(["logical", "binlog", "trigger", "snapshot"]),
    /** Where the consistent cut was taken (an LSN, a binlog position, a time). */
    cut: z.string(),
    reconciledWith: z.literal("snapshot").optional(),
  }),
  /** Only the tables that appear in `changes`. */
  tables: z.record(z.string(), z.object({ pk: z.array(z.string()), columns: z.record(z.string(), z.string()) })),
  changes: z.array(RowChange),
  schemaChanges: z
    .array(
      z.object({
        table: z.string(),
        op: z.enum(["create", "drop", "alter"]),
        before: z.string().optional(),
        after: z.string().optional(),
      }),
    )
    .optional(),
  /** What the simulator's noise rules filtered out. */
  ignored: z.object({ rows: z.number(), rules: z.array(z.string()) }).optional(),
});
export type DbState = z.infer<typeof DbState>;

const FileMeta = z.object({ size: z.number(), sha256: z.string(), mode: z.string(), target: z.string().optional() });

export const FileChange = z.object({
  /** `<watched root>/<relative path>`, e.g. "/data/notes.txt". */
  path: z.string(),
  op: z.enum(["add", "modify", "delete", "rename"]),
  type: z.enum(["file", "dir", "symlink"]),
  from: z.string().optional(),
  before: FileMeta.optional(),
  after: FileMeta.optional(),
  /** Small text files only. */
  text: z
    .object({
      before: z.string().optional(),
      after: z.string().optional(),
      diff: z.string().optional(),
      truncated: z.boolean().optional(),
    })
    .optional(),
});
export type FileChange = z.infer<typeof FileChange>;

export const EnvState = z.object({
  /** The environment's alias. */
  env: z.string(),
  dbs: z.array(DbState),
  files: z.array(FileChange),
  warnings: z.array(z.string()),
});
export type EnvState = z.infer<typeof EnvState>;

export const StateQuery = z.object({
  /** Net changes (default) or the ordered log of every change (`false`). */
  merge_mutations: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /** Apply the simulator's noise rules (default); `false` shows everything, for calibration. */
  noise: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
});

export const JobState = z.object({
  state: EnvState.optional(),
  /** Why this environment's state could not be captured; other environments still answer. */
  error: z.string().optional(),
});
export type JobState = z.infer<typeof JobState>;

export const StateResponse = z.object({
  mode: z.enum(["net", "log"]),
  captured_at: z.string(),
  results: z.record(z.string(), JobState),
});
export type StateResponse = z.infer<typeof StateResponse>;
