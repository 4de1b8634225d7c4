import { z } from "zod";
import { LoginStep } from "./public.js";

const Port = z.number().int().min(1).max(65535);
const SimulatorName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, "a simulator name is lowercase letters, digits and '-', starting with a letter");

/** Memory sizes as in container engines: "512m", "2g", or a number of bytes. */
export const ByteSize = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*[kmg]?b?$/i, "a size is a number with an optional k, m or g suffix, e.g. 512m")
    .transform(parseByteSize),
]);

export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(text.trim());
  if (!match) throw new Error(`not a size: ${text}`);
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  return Math.round(Number(match[1]) * unit);
}

export const ReadinessCheck = z
  .object({
    /** HTTP GET that must answer `status` (redirects are followed). */
    http: z
      .object({ port: Port, path: z.string().startsWith("/").default("/"), status: z.number().int().default(200) })
      .optional(),
    /** A TCP port that must accept connections (for environments without HTTP). */
    tcp: z.object({ port: Port }).optional(),
    /** Seconds a fresh environment may take to become ready. */
    timeout: z.number().positive().default(60),
  })
  .refine((r) => r.http || r.tcp, { message: "a readiness check needs http or tcp" });

export const Resources = z.object({
  cpus: z.number().positive().max(64).default(1),
  memory: ByteSize.default(512 * 1024 ** 2),
});

/** Noise rules of a database: changes they match are filtered out of the state (and counted). */
export const IgnoreRules = z.object({
  /** Tables whose changes are all noise (sessions, caches, access logs). */
  tables: z.array(z.string()).default([]),
  /** `table.column`, `*.column` or `column`: an update that changes only these is noise. */
  columns: z.array(z.string()).default([]),
  /** Rows of a table whose columns match these globs (`*` matches anything), e.g. a lease in a config table. */
  rows: z.array(z.object({ table: z.string(), where: z.record(z.string(), z.string()) })).default([]),
});

export const DatabaseSource = z.object({
  name: z.string(),
  engine: z.enum(["sqlite", "postgres", "mariadb"]),
  /** File path (sqlite) or database name (postgres, mariadb). */
  location: z.string(),
  /** TCP port inside the environment (postgres 5432, mariadb 3306 by default). */
  port: Port.optional(),
  /** Account capture connects with: replication rights and read access (postgres, mariadb). */
  user: z.string().optional(),
  password: z.string().optional(),
  ignore: IgnoreRules.default({ tables: [], columns: [], rows: [] }),
});

export const WatchedDirectory = z.object({
  root: z.string().startsWith("/"),
  ignore: z.array(z.string()).default([]),
});

export const Account = z.object({
  username: z.string(),
  password: z.string(),
  role: z.string(),
});

/** `simulators/<name>/simulator.yaml`: everything Terrarium needs to build, start, watch and log in to an app. */
export const SimulatorManifest = z.object({
  name: SimulatorName,
  version: z.string().min(1),
  description: z.string(),
  image: z.object({
    /** Containerfile relative to the simulator's folder, built on Terrarium's Debian base image. */
    containerfile: z.string().default("Containerfile"),
  }),
  app_port: Port,
  ports: z.array(Port).default([]),
  readiness: ReadinessCheck,
  resources: Resources.default({ cpus: 1, memory: 512 * 1024 ** 2 }),
  state: z
    .object({
      databases: z.array(DatabaseSource).default([]),
      files: z.array(WatchedDirectory).default([]),
    })
    .default({ databases: [], files: [] }),
  /**
   * How a user logs in: the form at `path` (used by calibration over plain HTTP) and the browser
   * steps `session.login(browser)` runs.
   */
  login: z
    .object({
      path: z.string().startsWith("/"),
      username: z.string(),
      password: z.string(),
      steps: z.array(LoginStep).min(1).optional(),
    })
    .optional(),
  accounts: z.array(Account).default([]),
});
export type SimulatorManifest = z.output<typeof SimulatorManifest>;

export const SimulatorInfo = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  app_port: z.number(),
  ports: z.array(z.number()),
  resources: z.object({ cpus: z.number(), memory_bytes: z.number() }),
  image: z.string(),
  built: z.boolean(),
  recipe_hash: z.string(),
  tags: z.array(z.string()),
  accounts: z.array(Account),
});
export type SimulatorInfo = z.infer<typeof SimulatorInfo>;
export const SimulatorList = z.object({ simulators: z.array(SimulatorInfo) });
export type SimulatorList = z.infer<typeof SimulatorList>;

export const CalibrateRequest = z.object({
  /** Seconds to let the app idle after the login, so timers and background jobs show. */
  idle_seconds: z.number().min(0).max(300).default(5),
});

const TableOp = z.object({
  table: z.string(),
  op: z.enum(["insert", "update", "delete"]),
  changed: z.array(z.string()).optional(),
});

export const CalibrationReport = z.object({
  simulator: z.string(),
  /** How the web login went: it must succeed, or the run shows nothing of a login. */
  login: z.object({ ok: z.boolean(), detail: z.string() }),
  /** Every row change of the run with no noise rule applied, per database. */
  observed: z.record(z.string(), z.array(TableOp)),
  /** Rules that would silence all of it, per database, in simulator.yaml's shape. */
  proposed: z.record(z.string(), z.object({ tables: z.array(z.string()), columns: z.array(z.string()) })),
  /** What the simulator's current rules still let through: empty when they are complete. */
  remaining: z.record(z.string(), z.array(TableOp)),
  files: z.array(z.string()),
});
export type CalibrationReport = z.infer<typeof CalibrationReport>;
