import { z } from "zod";
import { LoginStep } from "./public.js";

const Port = z.number().int().min(1).max(65535);
/** A simulator's name: also its image repository, `localhost/terrarium/<name>`. */
export const SimulatorName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, "a simulator name is lowercase letters, digits and '-', starting with a letter");
/** A dataset's name: the suffix of its image tags, `<version>-<dataset>`. */
export const DatasetName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,40}$/, "a dataset name is lowercase letters, digits and '-', starting with a letter");
/** The dataset every simulator has, which `terrarium setup` builds and sessions start from by default (Plato's name). */
export const DEFAULT_DATASET = "base";

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
  /**
   * `maildir`: the directory holds Maildirs (each a folder with cur/ and new/), and every message file
   * that changes carries the message read from it (`before.message`, `after.message`: folder, flags,
   * addresses, subject, ids, text, attachments).
   */
  format: z.enum(["files", "maildir"]).default("files"),
});

export const Account = z.object({
  username: z.string().describe("The account's login name"),
  password: z.string().describe("Its password (the app's seeded data, not a secret)"),
  role: z.string().describe("What it may do in the app, e.g. admin, developer or reporter"),
});

/**
 * A named variant of a simulator's seed data: its image is built from the same Containerfile with the
 * build argument `DATASET=<name>`, tagged `<version>-<name>` (the `base` dataset keeps the plain tags).
 */
export const Dataset = z.object({
  description: z.string().describe("What the data is"),
  accounts: z
    .array(Account)
    .optional()
    .describe("Its accounts, when they are not the simulator's (a blank dataset has fewer)"),
});

/** `simulators/<name>/simulator.yaml`: everything Terrarium needs to build, start, watch and log in to an app. */
export const SimulatorManifest = z.object({
  name: SimulatorName,
  version: z.string().min(1),
  description: z.string(),
  /** What it serves as among an agent's apps, e.g. "CRM", "code forge", "webmail". */
  role: z.string().min(1, "role names what the app serves as, e.g. CRM or webmail"),
  /** The apps (often not installable here) whose role it plays, e.g. [EspoCRM]. */
  stands_in_for: z.array(z.string().min(1)).default([]),
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
  /** The variants of its seed data, by name; `base` is the one a session starts from by default. */
  datasets: z
    .record(DatasetName, Dataset)
    .default({ [DEFAULT_DATASET]: { description: "The seeded data" } })
    .refine((d) => DEFAULT_DATASET in d, {
      message: `datasets needs "${DEFAULT_DATASET}": the data \`terrarium setup\` builds and sessions start from by default`,
    }),
});
export type SimulatorManifest = z.output<typeof SimulatorManifest>;

export const SimulatorInfo = z.object({
  name: z.string().describe("The simulator's name, as `simulator` in a session's envs"),
  version: z.string().describe("Its version (simulator.yaml), the tag `terrarium setup` builds besides latest"),
  description: z.string().describe("What the app is"),
  role: z.string().describe('What it serves as among an agent\'s apps, e.g. "CRM", "code forge", "webmail"'),
  stands_in_for: z
    .array(z.string())
    .describe("The apps whose role it plays (tasks written for them carry over), e.g. EspoCRM; may be empty"),
  app_port: z.number().describe("The port the app serves on inside the environment (public URLs reach it by default)"),
  ports: z.array(z.number()).describe("Other ports it serves on"),
  resources: z
    .object({
      cpus: z.number().describe("CPUs each environment may use"),
      memory_bytes: z.number().describe("Memory each environment may use, in bytes"),
    })
    .describe("Limits of each environment"),
  image: z.string().describe("The image of its version, localhost/terrarium/<name>:<version>"),
  built: z
    .boolean()
    .describe("Whether that image is built from the simulator's current files (`terrarium setup` builds it)"),
  recipe_hash: z
    .string()
    .nullable()
    .describe(
      "Hash of the files the image is built from; the image's label tells whether it is current. null for a published simulator (it has images, no files)",
    ),
  /** Every tag of `localhost/terrarium/<name>`: the built version, `latest`, and published versions. */
  tags: z
    .array(z.string())
    .describe("Every tag of `localhost/terrarium/<name>`: the built version, `latest`, and published versions"),
  /**
   * The tags published from disk snapshots (`override_version`), with the artifact each was made from
   * (by this server or another sharing the host's Podman); removing the artifact removes the tag.
   */
  published: z
    .array(
      z.object({
        tag: z.string().describe("The published version (tag)"),
        artifact_id: z.string().describe("The disk artifact it was published from"),
      }),
    )
    .describe(
      "The tags published from disk snapshots (override_version), with the artifact each was made from; removing the artifact removes the tag",
    ),
  accounts: z.array(Account).describe("Accounts of the app, for agents and login flows"),
  datasets: z
    .array(
      z.object({
        name: z.string().describe("The dataset's name, as `dataset` in a session's envs (base: the default)"),
        description: z.string().describe("What the data is"),
        built: z
          .boolean()
          .describe(
            "Whether its image of the simulator's version is built and current; one that is not is built when a session first asks for it",
          ),
        accounts: z.array(Account).describe("Its accounts"),
      }),
    )
    .describe(
      "The variants of its seed data: `{type: simulator, dataset}` starts one; each is an image tag `<tag>-<dataset>` (base: `<tag>`)",
    ),
  published_from: z
    .object({
      simulator: z.string().describe("The simulator the snapshotted environment ran"),
      version: z.string().describe("Its version"),
      artifact_id: z.string().describe("The disk artifact published (removing it removes this version)"),
    })
    .nullable()
    .describe(
      "For a simulator published under a new name (disk_snapshot with override_service), where its newest version (`version`) came from; it keeps that simulator's ports, readiness, state capture, login and accounts. null for a simulator with a folder",
    ),
});
export type SimulatorInfo = z.infer<typeof SimulatorInfo>;
export const SimulatorList = z.object({
  simulators: z.array(SimulatorInfo).describe("The simulators this server has"),
});
export type SimulatorList = z.infer<typeof SimulatorList>;

export const CalibrateRequest = z.object({
  /** Seconds to let the app idle after the login, so timers and background jobs show. */
  idle_seconds: z
    .number()
    .min(0)
    .max(300)
    .default(5)
    .describe("Seconds (0-300) to let the app idle after the login, so timers and background jobs show; 5 by default"),
  job_id: z
    .string()
    .optional()
    .describe(
      "A running environment of the simulator that the caller started and logged in to (with the browser login, for apps whose login is not an HTML form): calibration idles and reads its state instead of starting one and logging in over HTTP; it is left running",
    ),
});

const TableOp = z.object({
  table: z.string().describe("The table"),
  op: z.enum(["insert", "update", "delete"]).describe("What happened to a row of it"),
  changed: z.array(z.string()).optional().describe("Updates: the columns that changed"),
});

export const CalibrationReport = z.object({
  simulator: z.string().describe("The simulator calibrated"),
  /** How the web login went: it must succeed, or the run shows nothing of a login. */
  login: z
    .object({
      ok: z.boolean().describe("Whether it logged in"),
      detail: z.string().describe("What happened, e.g. the HTTP status"),
    })
    .describe("How the web login went: it must succeed, or the run shows nothing of a login"),
  /** Every row change of the run with no noise rule applied, per database. */
  observed: z
    .record(z.string(), z.array(TableOp))
    .describe("Every row change of the run with no noise rule applied, per database"),
  /** Rules that would silence all of it, per database, in simulator.yaml's shape. */
  proposed: z
    .record(
      z.string(),
      z.object({
        tables: z.array(z.string()).describe("Tables whose inserts or deletes are noise: ignore them whole"),
        columns: z.array(z.string()).describe("`table.column`s whose updates are noise"),
      }),
    )
    .describe("Rules that would silence all of it, per database, in simulator.yaml's shape (state.databases[].ignore)"),
  /** What the simulator's current rules still let through: empty when they are complete. */
  remaining: z
    .record(z.string(), z.array(TableOp))
    .describe("What the simulator's current rules still let through, per database: empty when they are complete"),
  files: z.array(z.string()).describe('File changes the current rules let through, as "<op> <path>"'),
});
export type CalibrationReport = z.infer<typeof CalibrationReport>;
