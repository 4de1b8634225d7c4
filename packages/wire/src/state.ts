import { z } from "zod";

export const Value = z
  .union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.object({ $b64: z.string().describe("The bytes, base64-encoded") }),
    z.record(z.string(), z.unknown()),
    z.array(z.unknown()),
  ])
  .describe(
    'A column value: strings, numbers, booleans and null as JSON; bytes as {"$b64": "..."}; big integers and decimals as strings; timestamps as ISO-8601 strings; JSON columns parsed',
  );
export type Value = z.infer<typeof Value>;
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const RowChange = z.object({
  id: z.string().describe('Stable within one answer: the alias and a number, e.g. "forge:3"'),
  table: z.string().describe('The table: "deals" (sqlite), "public.deals" (postgres), "crm.deals" (mariadb)'),
  op: z.enum(["insert", "update", "delete"]).describe("What happened to the row"),
  pk: z
    .record(z.string(), Scalar)
    .describe(
      'The row\'s primary key, column by column; {"$rowid": n} for SQLite tables without one, every column for PostgreSQL tables without one',
    ),
  before: z
    .record(z.string(), Value)
    .nullable()
    .describe(
      "The row before the change, column by column; null for an insert, and for a PostgreSQL table without REPLICA IDENTITY FULL (see warnings)",
    ),
  after: z
    .record(z.string(), Value)
    .nullable()
    .describe("The row after the change, column by column; null for a delete"),
  changed: z.array(z.string()).optional().describe("Updates only: the columns whose value differs"),
  seq: z
    .number()
    .optional()
    .describe("Position in commit order within this answer (log-based capture: postgres, mariadb)"),
  tx: z.string().optional().describe("The transaction: a PostgreSQL xid, or a MariaDB binlog `file:position`"),
  ts: z.string().optional().describe("Commit time (ISO-8601), when the engine's log records it"),
});
export type RowChange = z.infer<typeof RowChange>;

export const DbState = z.object({
  name: z.string().describe("The simulator's name for this database (its state source in simulator.yaml)"),
  engine: z.enum(["postgres", "mysql", "mariadb", "sqlite"]).describe("The database engine"),
  database: z.string().describe("The database's file path (sqlite) or name (postgres, mariadb)"),
  capture: z
    .object({
      method: z
        .enum(["logical", "binlog", "trigger", "snapshot"])
        .describe(
          "How changes were read: `logical` decoding (postgres), the row `binlog` (mariadb), or a `snapshot` diffed against the baseline (sqlite); `trigger` is not used yet",
        ),
      cut: z
        .string()
        .describe(
          "Where the consistent cut was taken: a PostgreSQL LSN (0/1546038), a MariaDB binlog `file:position`, or the ISO-8601 time of the SQLite copy",
        ),
      reconciled_with: z
        .literal("snapshot")
        .optional()
        .describe(
          "Present when tables with cascading foreign keys were diffed against a snapshot, because the binlog misses their cascaded rows",
        ),
    })
    .describe("How and up to where the state was read"),
  tables: z
    .record(
      z.string(),
      z.object({
        pk: z.array(z.string()).describe("The primary key's columns; empty when the table has none"),
        columns: z.record(z.string(), z.string()).describe("Each column's type, as the engine names it"),
      }),
    )
    .describe("The tables that appear in `changes` (only those), by name"),
  changes: z
    .array(RowChange)
    .describe("The row changes: net per row (mode net), or every change in commit order (mode log)"),
  schema_changes: z
    .array(
      z.object({
        table: z.string().describe("The table"),
        op: z.enum(["create", "drop", "alter"]).describe("What happened to it"),
        before: z.string().optional().describe("Its CREATE statement before (drop, alter)"),
        after: z.string().optional().describe("Its CREATE statement after (create, alter)"),
      }),
    )
    .optional()
    .describe("Tables created, dropped or altered (sqlite); absent when there are none"),
  ignored: z
    .object({
      rows: z.number().describe("How many row changes the rules dropped"),
      rules: z
        .array(z.string())
        .describe('The rules that dropped them, e.g. "table:sessions", "column:users.last_login_on"'),
    })
    .optional()
    .describe("What the simulator's noise rules filtered out"),
});
export type DbState = z.infer<typeof DbState>;

/** An email message file of a Maildir (a watched directory with `format: maildir`), as a client reads it. */
export const MailMessage = z.object({
  mailbox: z
    .string()
    .describe(
      'The folder holding it: the path of its Maildir (the directory with cur/ and new/) under the watched root, e.g. "erik/.Sent"',
    ),
  flags: z
    .array(z.enum(["Draft", "Flagged", "Passed", "Replied", "Seen", "Trashed"]))
    .describe("Its Maildir flags (the letters after `:2,` in its file name), by name; none while in new/"),
  from: z.string().nullable().describe("The From address, e.g. priya@acme-couriers.example; null if absent"),
  from_name: z.string().nullable().describe("The From display name; null if absent"),
  to: z.array(z.string()).describe("To addresses"),
  cc: z.array(z.string()).describe("Cc addresses"),
  subject: z.string().nullable().describe("The Subject, decoded"),
  date: z.string().nullable().describe("The Date header as ISO 8601 (or as written when it does not parse)"),
  message_id: z.string().nullable().describe("The Message-ID, with its angle brackets"),
  in_reply_to: z.string().nullable().describe("The In-Reply-To message id"),
  references: z.array(z.string()).describe("The References message ids, in order"),
  text: z.string().describe("The plain-text body (the first 16 KiB), decoded; an HTML-only message's text is empty"),
  attachments: z
    .array(
      z.object({
        filename: z.string().nullable().describe("Its file name; null for an inline part without one"),
        content_type: z.string().describe('Its MIME type, e.g. "application/pdf"'),
        size: z.number().describe("Decoded size in bytes"),
      }),
    )
    .describe("Its attachments (and inline parts with a file name)"),
});
export type MailMessage = z.infer<typeof MailMessage>;

const FileMeta = z.object({
  size: z.number().describe("Size in bytes"),
  sha256: z.string().describe("sha256 of the content, hex; empty for directories and symlinks"),
  mode: z.string().describe('Permission bits in octal, e.g. "0644"'),
  target: z.string().optional().describe("A symlink's target"),
  message: MailMessage.optional().describe("The email message the file holds, in a watched Maildir"),
});

export const FileChange = z.object({
  path: z.string().describe('`<watched root>/<relative path>`, e.g. "/data/notes.txt"'),
  op: z.enum(["add", "modify", "delete", "rename"]).describe("What happened to the path"),
  type: z.enum(["file", "dir", "symlink"]).describe("What the path is"),
  from: z.string().optional().describe("A rename's old path"),
  before: FileMeta.optional().describe("The path before the change; absent for an add"),
  after: FileMeta.optional().describe("The path after the change; absent for a delete"),
  text: z
    .object({
      before: z.string().optional().describe("The content before; absent for an add"),
      after: z.string().optional().describe("The content after; absent for a delete"),
      diff: z.string().optional().describe("A unified diff of the two, with 3 lines of context"),
      truncated: z.boolean().optional().describe("true when the content was cut short"),
    })
    .optional()
    .describe("Content of text files up to 64 KiB, and its diff; absent for other files"),
});
export type FileChange = z.infer<typeof FileChange>;

export const EnvState = z.object({
  env: z.string().describe("The environment's alias"),
  dbs: z.array(DbState).describe("Each database the simulator declares, with its changes"),
  files: z.array(FileChange).describe("Changes under the simulator's watched directories"),
  warnings: z
    .array(z.string())
    .describe('What the capture could not see fully, e.g. "app: public.t: no REPLICA IDENTITY FULL; ..."'),
});
export type EnvState = z.infer<typeof EnvState>;

export const StateQuery = z.object({
  merge_mutations: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true")
    .describe("`true` (default): the net change of each row; `false`: the ordered log of every change"),
  noise: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true")
    .describe("`true` (default): apply the simulator's noise rules; `false` shows everything, for calibration"),
});

export const JobState = z.object({
  state: EnvState.optional().describe("The environment's changes since it started or was last reset"),
  error: z
    .string()
    .optional()
    .describe("Why this environment's state could not be captured; other environments still answer"),
});
export type JobState = z.infer<typeof JobState>;

export const StateResponse = z.object({
  mode: z
    .enum(["net", "log"])
    .describe("`net`: one net change per row; `log`: every change in commit order (merge_mutations=false)"),
  captured_at: z.string().describe("When the state was read (ISO-8601, UTC)"),
  results: z.record(z.string(), JobState).describe("Per job id: the state, or why it could not be read"),
});
export type StateResponse = z.infer<typeof StateResponse>;
