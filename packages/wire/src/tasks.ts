import { z } from "zod";
import { Alias } from "./ids.js";

// The criteria language of ../shared/design/STATE_AND_EVAL.md: declarative checks over the captured
// state, live read-only queries and the agent's answer, scored and explained per check.

type Scalar = string | number | boolean | null;
export type Matcher =
  | Scalar
  | {
      $eq?: unknown;
      $ne?: unknown;
      $in?: unknown[];
      $nin?: unknown[];
      $gt?: number | string | { $ref: string };
      $gte?: number | string | { $ref: string };
      $lt?: number | string | { $ref: string };
      $lte?: number | string | { $ref: string };
      $approx?: { value: number; abs?: number; rel?: number };
      $contains?: string | { $ref: string };
      $icontains?: string | { $ref: string };
      $regex?: string;
      $startsWith?: string | { $ref: string };
      $exists?: boolean;
      $null?: boolean;
      $ref?: string;
      $within?: { of: string; duration: string };
      $json?: Record<string, Matcher>;
      $llm?: string;
      $not?: Matcher;
      $and?: Matcher[];
      $or?: Matcher[];
    };

/** A `$regex` source: JavaScript syntax, with an optional leading `(?i)`, `(?m)` or `(?s)` for flags. */
export function regexOf(source: string): RegExp {
  const inline = /^\(\?([ims]+)\)/.exec(source);
  return inline ? new RegExp(source.slice(inline[0].length), inline[1]) : new RegExp(source);
}

const Duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration looks like "90s", "15m", "2h" or "1d"');

/** A bound of $gt/$gte/$lt/$lte: a number, a string (timestamps compare as instants), or a `$ref`. */
const Bound = z.union([z.number(), z.string(), z.object({ $ref: z.string() }).strict()]);

/** Text to look for, or a `$ref` to it: `{ $contains: { $ref: "vars.ticket.tkt_uuid" } }`. */
const TextArg = z.union([z.string(), z.object({ $ref: z.string() }).strict()]);

export const Matcher: z.ZodType<Matcher> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z
      .object({
        $eq: z.unknown().optional(),
        $ne: z.unknown().optional(),
        $in: z.array(z.unknown()).optional(),
        $nin: z.array(z.unknown()).optional(),
        $gt: Bound.optional(),
        $gte: Bound.optional(),
        $lt: Bound.optional(),
        $lte: Bound.optional(),
        $approx: z
          .object({ value: z.number(), abs: z.number().min(0).optional(), rel: z.number().min(0).optional() })
          .strict()
          .optional(),
        $contains: TextArg.optional(),
        $icontains: TextArg.optional(),
        $regex: z
          .string()
          .refine((source) => {
            try {
              regexOf(source);
              return true;
            } catch {
              return false;
            }
          }, "not a valid regular expression")
          .optional(),
        $startsWith: TextArg.optional(),
        $exists: z.boolean().optional(),
        $null: z.boolean().optional(),
        $ref: z.string().optional(),
        $within: z.object({ of: z.string(), duration: Duration }).strict().optional(),
        $json: z.record(z.string(), Matcher).optional(),
        $llm: z.string().optional(),
        $not: Matcher.optional(),
        $and: z.array(Matcher).optional(),
        $or: z.array(Matcher).optional(),
      })
      .strict()
      .refine((m) => Object.keys(m).length > 0, "a matcher object needs at least one operator"),
  ]),
);

const RowOp = z.enum(["insert", "update", "delete"]);
const FileOp = z.enum(["add", "modify", "delete", "rename"]);
const OneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const MutationMatch = z
  .object({
    env: z.string().optional(),
    /** Table name, schema optional ("issues" matches "public.issues"); "$files" for file changes. */
    table: z.string().min(1),
    op: OneOrMany(z.union([RowOp, FileOp])).optional(),
    /** Paths into the change: "after.status", "before.title", "pk.id", "changed". */
    where: z.record(z.string(), Matcher).optional(),
    /** An update may touch only these columns (after noise rules). */
    changedOnly: z.array(z.string()).optional(),
    count: Matcher.optional(),
    /** Name under which the matched change can be referred to: { $ref: "issue.after.id" }. */
    bind: z
      .string()
      .regex(/^[A-Za-z_]\w*$/, "a bind name is a word")
      .optional(),
    source: z.enum(["net", "log"]).optional(),
  })
  .strict();
export type MutationMatch = z.infer<typeof MutationMatch>;

export const Selector = z
  .object({
    env: z.string().optional(),
    table: z.string().min(1),
    op: z.array(z.union([RowOp, FileOp])).optional(),
    /** Only updates touching nothing but these columns are allowed. */
    columns: z.array(z.string()).optional(),
  })
  .strict();
export type Selector = z.infer<typeof Selector>;

export const JudgeSpec = z
  .object({
    rubric: z.string().min(1),
    /** "answer", "change:<bind>.<path>", "file:<env>:<path>#diff|#after", "row:<env>:<table>:<json where>" */
    evidence: z.array(z.string().min(1)).default([]),
    scale: z.enum(["binary", "unit", "likert5"]).default("binary"),
    samples: z.number().int().min(1).max(9).default(1),
    aggregate: z.enum(["majority", "mean"]).default("majority"),
    passThreshold: z.number().min(0).max(1).optional(),
    model: z.string().optional(),
    always: z.boolean().optional(),
  })
  .strict();
export type JudgeSpec = z.output<typeof JudgeSpec>;

interface CheckBase {
  id: string;
  weight?: number;
  required?: boolean;
  description?: string;
}
export type Check = CheckBase &
  (
    | { mutation: MutationMatch }
    | { forbid: MutationMatch; penalty?: "zero" | number }
    | { onlyExpected: { envs?: string[]; allow?: Selector[]; tolerance?: number } }
    | {
        row: {
          env: string;
          table: string;
          where: Record<string, Matcher>;
          expect?: Record<string, Matcher>;
          count?: Matcher;
        };
      }
    | {
        sql: {
          env: string;
          query: string;
          params?: unknown[];
          expect: { rows?: Matcher; scalar?: Matcher; all?: Record<string, Matcher> };
        };
      }
    | {
        file: {
          env: string;
          path: string;
          op?: z.infer<typeof FileOp> | z.infer<typeof FileOp>[];
          content?: Matcher;
          json?: Record<string, Matcher>;
        };
      }
    | { answer: Matcher }
    | { http: { env: string; method?: "GET"; path: string; status?: number; expect: Record<string, Matcher> } }
    | { judge: z.input<typeof JudgeSpec> }
    | { fn: { name: string; args?: unknown } }
    | { all: Check[] }
    | { any: Check[] }
    | { not: Check }
  );

const base = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, "a check id is lowercase letters, digits, '_', '-' or '.'"),
  weight: z.number().min(0).optional(),
  required: z.boolean().optional(),
  description: z.string().optional(),
};
const Where = z.record(z.string(), Matcher);

export const Check: z.ZodType<Check> = z.lazy(() =>
  z.union([
    z.object({ ...base, mutation: MutationMatch }).strict(),
    z
      .object({
        ...base,
        forbid: MutationMatch,
        penalty: z.union([z.literal("zero"), z.number().min(0).max(1)]).optional(),
      })
      .strict(),
    z
      .object({
        ...base,
        onlyExpected: z
          .object({
            envs: z.array(z.string()).optional(),
            allow: z.array(Selector).optional(),
            tolerance: z.number().int().min(1).optional(),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        ...base,
        row: z
          .object({
            env: z.string(),
            table: z.string(),
            where: Where,
            expect: Where.optional(),
            count: Matcher.optional(),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        ...base,
        sql: z
          .object({
            env: z.string(),
            query: z.string().min(1),
            params: z.array(z.unknown()).optional(),
            expect: z
              .object({ rows: Matcher.optional(), scalar: Matcher.optional(), all: Where.optional() })
              .strict()
              .refine((e) => Object.keys(e).length > 0, "expect needs rows, scalar or all"),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        ...base,
        file: z
          .object({
            env: z.string(),
            path: z.string().startsWith("/"),
            op: OneOrMany(FileOp).optional(),
            content: Matcher.optional(),
            json: Where.optional(),
          })
          .strict(),
      })
      .strict(),
    z.object({ ...base, answer: Matcher }).strict(),
    z
      .object({
        ...base,
        http: z
          .object({
            env: z.string(),
            method: z.literal("GET").optional(),
            path: z.string().startsWith("/"),
            status: z.number().int().optional(),
            expect: Where,
          })
          .strict(),
      })
      .strict(),
    z.object({ ...base, judge: JudgeSpec }).strict(),
    z.object({ ...base, fn: z.object({ name: z.string().min(1), args: z.unknown().optional() }).strict() }).strict(),
    z.object({ ...base, all: z.array(Check).min(1) }).strict(),
    z.object({ ...base, any: z.array(Check).min(1) }).strict(),
    z.object({ ...base, not: Check }).strict(),
  ]),
);

export const Lookup = z
  .object({
    env: z.string(),
    table: z.string().min(1),
    where: Where,
    from: z.enum(["baseline", "live"]).default("live"),
    /** A column; without it the whole row is bound ({ $ref: "vars.alice.id" }). */
    pick: z.string().optional(),
  })
  .strict();
export type Lookup = z.output<typeof Lookup>;

export const Criteria = z
  .object({
    version: z.literal(1),
    vars: z.record(z.string().regex(/^[A-Za-z_]\w*$/), Lookup).optional(),
    checks: z.array(Check).min(1),
    scoring: z
      .object({
        strategy: z.enum(["weighted", "all", "tac"]).default("weighted"),
        passThreshold: z.number().min(0).max(1).default(1),
        gateCap: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .default({ strategy: "weighted", passThreshold: 1, gateCap: 0.5 }),
    noise: z
      .object({ ignoreTables: z.array(z.string()).default([]), ignoreColumns: z.array(z.string()).default([]) })
      .strict()
      .optional(),
  })
  .strict();
export type Criteria = z.output<typeof Criteria>;

export const TaskEnv = z
  .object({
    alias: Alias,
    simulator: z.string().optional(),
    tag: z.string().optional(),
    artifact: z.string().optional(),
    /** Path the agent starts at, on the environment's public URL. */
    start_url: z.string().startsWith("/").default("/"),
  })
  .strict()
  .refine((e) => (e.simulator === undefined) !== (e.artifact === undefined), "give either simulator or artifact");

/** A task file: `simulators/<name>/tasks/<id>.yaml` or, spanning simulators, `tasks/<id>.yaml`. */
export const Task = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/, 'a task id looks like "redmine/close-duplicate"'),
    title: z.string().min(1),
    prompt: z.string().min(1),
    envs: z.array(TaskEnv).min(1),
    criteria: Criteria,
    tags: z.array(z.string()).default([]),
    difficulty: z.enum(["easy", "medium", "hard"]),
    /** Reference and wrong solutions: a module beside the task exporting `solve` and `wrong`. */
    solution: z.string().optional(),
  })
  .strict();
export type Task = z.output<typeof Task>;

export const TaskSummary = z.object({
  id: z.string(),
  title: z.string(),
  difficulty: z.string(),
  tags: z.array(z.string()),
  simulators: z.array(z.string()),
  checks: z.number(),
});
export const InvalidTaskFile = z.object({ file: z.string(), problems: z.array(z.string()) });
export const TaskList = z.object({
  tasks: z.array(TaskSummary),
  /** Task files that do not validate, each with every problem found (field by field). */
  invalid: z.array(InvalidTaskFile),
});
export type TaskList = z.infer<typeof TaskList>;

export const EvaluateRequest = z
  .object({
    /** The agent's final answer, for `answer` checks and judges. */
    value: z.string().optional(),
  })
  .strict();
export type EvaluateRequest = z.infer<typeof EvaluateRequest>;

export const CheckResult: z.ZodType<CheckResult> = z.lazy(() =>
  z.object({
    id: z.string(),
    kind: z.string(),
    pass: z.boolean(),
    score: z.number(),
    weight: z.number(),
    required: z.boolean(),
    status: z.enum(["ok", "error", "skipped"]),
    reason: z.string().optional(),
    evidence: z.record(z.string(), z.unknown()).optional(),
    checks: z.array(CheckResult).optional(),
  }),
);
export interface CheckResult {
  id: string;
  kind: string;
  pass: boolean;
  score: number;
  weight: number;
  required: boolean;
  status: "ok" | "error" | "skipped";
  reason?: string;
  evidence?: Record<string, unknown>;
  checks?: CheckResult[];
}

export const EvaluationResult = z.object({
  task_id: z.string(),
  /** "error" when a check could not run (the evaluator's or the environment's fault, not the agent's). */
  status: z.enum(["ok", "error"]),
  success: z.boolean(),
  score: z.number(),
  checks: z.array(CheckResult),
  /** Changes no mutation check claimed and no allow rule covered. */
  unexpected: z.array(z.string()),
  judge: z.object({ calls: z.number() }),
  duration_ms: z.number(),
});
export type EvaluationResult = z.infer<typeof EvaluationResult>;
