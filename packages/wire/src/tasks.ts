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

const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration looks like "90s", "15m", "2h" or "1d"')
  .describe('A number and a unit (ms, s, m, h, d), e.g. "90s", "15m", "2h", "1d"');

const Ref = z
  .object({ $ref: z.string().describe("A bound value: vars.<name>[.<column>], or <bind>.<path> of a matched change") })
  .strict();

/** A bound of $gt/$gte/$lt/$lte: a number, a string (timestamps compare as instants), or a `$ref`. */
const Bound = z.union([z.number(), z.string(), Ref]);
const bound = (word: string) =>
  `${word} this: numbers (numeric strings too) and timestamps (as instants) compare by value, other strings as text; or a {"$ref"}`;

/** Text to look for, or a `$ref` to it: `{ $contains: { $ref: "vars.ticket.tkt_uuid" } }`. */
const TextArg = z.union([z.string(), Ref]);

export const Matcher: z.ZodType<Matcher> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z
      .object({
        $eq: z
          .unknown()
          .optional()
          .describe(
            'Equal to this, type-aware: numeric strings equal numbers, 1/0 equal true/false, timestamps compare as instants, strings are trimmed; or a {"$ref"}',
          ),
        $ne: z.unknown().optional().describe("Not equal to this (as $eq)"),
        $in: z.array(z.unknown()).optional().describe("Equal (as $eq) to one of these"),
        $nin: z.array(z.unknown()).optional().describe("Equal (as $eq) to none of these"),
        $gt: Bound.optional().describe(bound("Greater than")),
        $gte: Bound.optional().describe(bound("Greater than or equal to")),
        $lt: Bound.optional().describe(bound("Less than")),
        $lte: Bound.optional().describe(bound("Less than or equal to")),
        $approx: z
          .object({
            value: z.number().describe("The expected number"),
            abs: z.number().min(0).optional().describe("Absolute tolerance"),
            rel: z
              .number()
              .min(0)
              .optional()
              .describe("Tolerance relative to |value|; with abs too, the larger one; with neither, 1e-9"),
          })
          .strict()
          .optional()
          .describe("A number (or numeric string) within a tolerance of value"),
        $contains: TextArg.optional().describe(
          "The text contains this (case-sensitive); an array contains an element equal to it",
        ),
        $icontains: TextArg.optional().describe("The text contains this, in any case"),
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
          .optional()
          .describe(
            "The text matches this regular expression: JavaScript syntax, with an optional leading (?i), (?m) or (?s) for flags",
          ),
        $startsWith: TextArg.optional().describe("The text starts with this (leading spaces ignored)"),
        $exists: z.boolean().optional().describe("true: the value is present; false: it is absent"),
        $null: z.boolean().optional().describe("true: the value is null; false: it is not"),
        $ref: z
          .string()
          .optional()
          .describe("Equal (as $eq) to a bound value: vars.<name>[.<column>], or <bind>.<path> of a matched change"),
        $within: z
          .object({
            of: z
              .string()
              .describe('"now", an ISO-8601 timestamp, or "$" and a bound path, e.g. "$vars.issue.created_on"'),
            duration: Duration,
          })
          .strict()
          .optional()
          .describe("A timestamp no further than duration from of, before or after it"),
        $json: z
          .record(z.string(), Matcher)
          .optional()
          .describe("The value (parsed when it is JSON text) matches a matcher at each dotted path"),
        $llm: z
          .string()
          .optional()
          .describe("A judge decides whether the value is consistent with this description (needs a configured judge)"),
        $not: Matcher.optional().describe("The value does not match this"),
        $and: z.array(Matcher).optional().describe("The value matches every one of these"),
        $or: z.array(Matcher).optional().describe("The value matches at least one of these"),
      })
      .strict()
      .refine((m) => Object.keys(m).length > 0, "a matcher object needs at least one operator"),
  ]),
);
// Recursive schemas carry an id: the OpenAPI document has them once, in `components.schemas`.
z.globalRegistry.add(Matcher, {
  id: "Matcher",
  description: "A value the subject must equal (type-aware, as $eq), or an object of operators that must all hold",
});

const RowOp = z.enum(["insert", "update", "delete"]);
const FileOp = z.enum(["add", "modify", "delete", "rename"]);
const OneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

const envOf = (what: string) => `The environment (alias) ${what}`;

export const MutationMatch = z
  .object({
    env: z.string().optional().describe(envOf("the change is in; any when unset")),
    table: z
      .string()
      .min(1)
      .describe('Table name, schema optional ("issues" matches "public.issues"); "$files" for file changes'),
    op: OneOrMany(z.union([RowOp, FileOp]))
      .optional()
      .describe(
        "The change's op, or a list of them: insert, update, delete (rows); add, modify, delete, rename ($files); any when unset",
      ),
    where: z
      .record(z.string(), Matcher)
      .optional()
      .describe(
        'Matchers on dotted paths into the change: "after.status", "before.title", "pk.id", "changed"; for $files "pk.path" and "after.content"',
      ),
    changedOnly: z.array(z.string()).optional().describe("An update may touch only these columns (after noise rules)"),
    count: Matcher.optional().describe('How many changes must match; {"$gte": 1} by default'),
    bind: z
      .string()
      .regex(/^[A-Za-z_]\w*$/, "a bind name is a word")
      .optional()
      .describe('Name under which the matched change can be referred to: {"$ref": "issue.after.id"}'),
    source: z
      .enum(["net", "log"])
      .optional()
      .describe(
        "`net` (default): the net change of each row; `log`: every change in commit order (a forbid then catches a change made and undone)",
      ),
  })
  .strict();
export type MutationMatch = z.infer<typeof MutationMatch>;

export const Selector = z
  .object({
    env: z.string().optional().describe(envOf("of the changes allowed; any when unset")),
    table: z.string().min(1).describe('The table of the changes allowed, schema optional; "$files" for files'),
    op: z
      .array(z.union([RowOp, FileOp]))
      .optional()
      .describe("The ops allowed; any when unset"),
    columns: z.array(z.string()).optional().describe("Only updates touching nothing but these columns are allowed"),
    where: z
      .record(z.string(), Matcher)
      .optional()
      .describe(
        'Only changes matching these (paths as in a mutation\'s where: "pk.id", "after.status", "before.title") are allowed: one row, say, of a table whose other rows must not change',
      ),
  })
  .strict();
export type Selector = z.infer<typeof Selector>;

export const JudgeSpec = z
  .object({
    rubric: z.string().min(1).describe("The criterion the judge grades, in plain language"),
    evidence: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'What the judge sees (each item cut at 8192 characters): "answer", "change:<bind>[.<path>]", "file:<env>:<path>#diff" or "file:<env>:<path>#after"',
      ),
    scale: z
      .enum(["binary", "unit", "likert5"])
      .default("binary")
      .describe("`binary` (default): pass or fail; `unit`: a score from 0 to 1; `likert5`: 0, 0.25, 0.5, 0.75 or 1"),
    samples: z
      .number()
      .int()
      .min(1)
      .max(9)
      .default(1)
      .describe("How many times the judge is asked (1-9), each with another seed; 1 by default"),
    aggregate: z
      .enum(["majority", "mean"])
      .default("majority")
      .describe(
        "`majority` (default): passes when most samples pass, scoring 1 or 0; `mean`: the mean score, passing at passThreshold",
      ),
    passThreshold: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("With aggregate mean: the mean score needed to pass (0-1); 0.5 by default"),
    model: z
      .string()
      .optional()
      .describe("Not used yet: the server's judge (TERRARIUM_JUDGE_MODEL) grades every judge check"),
    always: z
      .boolean()
      .optional()
      .describe("Run even when a required check or a forbid failed (the judge is skipped then by default)"),
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
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]*$/, "a check id is lowercase letters, digits, '_', '-' or '.'")
    .describe("Names the check in results: lowercase letters, digits, '_', '-' or '.'"),
  weight: z
    .number()
    .min(0)
    .optional()
    .describe("Its weight in the weighted score; 1 by default (0: counts for nothing, a forbid still applies)"),
  required: z
    .boolean()
    .optional()
    .describe("A gate: when it fails the task fails, and the weighted score is capped at scoring.gateCap"),
  description: z.string().optional().describe("What the check verifies, for people"),
};
const Where = z.record(z.string(), Matcher);
const whereOf = (subject: string) => `Matchers on dotted paths (columns) of ${subject}`;

export const Check: z.ZodType<Check> = z.lazy(() =>
  z.union([
    z
      .object({
        ...base,
        mutation: MutationMatch.describe(
          "Passes when count changes match (at least 1 by default); each change counts for one mutation check at most",
        ),
      })
      .strict(),
    z
      .object({
        ...base,
        forbid: MutationMatch.describe("Fails when a change matches: a minefield"),
        penalty: z
          .union([z.literal("zero"), z.number().min(0).max(1)])
          .optional()
          .describe('When it fails: "zero" makes the task\'s score 0; a number (0-1) is subtracted from the score'),
      })
      .strict(),
    z
      .object({
        ...base,
        onlyExpected: z
          .object({
            envs: z.array(z.string()).optional().describe("The environments (aliases) to watch; all when unset"),
            allow: z
              .array(Selector)
              .optional()
              .describe("Changes that are fine besides the ones mutation checks claim"),
            tolerance: z
              .number()
              .int()
              .min(1)
              .optional()
              .describe(
                "n unexpected changes score 1 - n/tolerance (at least 0); without it any unexpected change scores 0",
              ),
          })
          .strict()
          .describe("Collateral damage: fails on any change no mutation check claimed and no allow selector covers"),
      })
      .strict(),
    z
      .object({
        ...base,
        row: z
          .object({
            env: z.string().describe(envOf("whose database is read")),
            table: z.string().describe("The table"),
            where: Where.describe(whereOf("the rows to select")),
            expect: Where.optional().describe(whereOf("every selected row, which must all hold")),
            count: Matcher.optional().describe('How many rows where must select; {"$gte": 1} by default'),
          })
          .strict()
          .describe("Rows of the live database"),
      })
      .strict(),
    z
      .object({
        ...base,
        sql: z
          .object({
            env: z.string().describe(envOf("whose database is queried")),
            query: z
              .string()
              .min(1)
              .describe("SQL in the engine's dialect, run in a read-only transaction with a statement timeout"),
            params: z.array(z.unknown()).optional().describe("Values for the query's placeholders, in order"),
            expect: z
              .object({
                rows: Matcher.optional().describe("Matcher on the number of rows"),
                scalar: Matcher.optional().describe("Matcher on the first column of the first row"),
                all: Where.optional().describe(whereOf("every row")),
              })
              .strict()
              .refine((e) => Object.keys(e).length > 0, "expect needs rows, scalar or all")
              .describe("What the result must satisfy: rows, scalar or all (at least one)"),
          })
          .strict()
          .describe("A read-only query of the live database"),
      })
      .strict(),
    z
      .object({
        ...base,
        file: z
          .object({
            env: z.string().describe(envOf("the file is in")),
            path: z
              .string()
              .startsWith("/")
              .describe("The file's absolute path, under one of the simulator's watched directories"),
            op: OneOrMany(FileOp)
              .optional()
              .describe("The change the file must have had (add, modify, delete, rename)"),
            content: Matcher.optional().describe("Matcher on the file's text now"),
            json: Where.optional().describe(whereOf("the file's content parsed as JSON")),
          })
          .strict()
          .describe("A file's change and content"),
      })
      .strict(),
    z.object({ ...base, answer: Matcher.describe("Matcher on the agent's final answer (evaluate's value)") }).strict(),
    z
      .object({
        ...base,
        http: z
          .object({
            env: z.string().describe(envOf("asked")),
            method: z.literal("GET").optional().describe("Only GET"),
            path: z.string().startsWith("/").describe("The path to ask the environment's app, e.g. /issues.json"),
            status: z.number().int().optional().describe("The status it must answer; 200 by default"),
            expect: Where.describe(
              'Matchers on dotted paths of the JSON body; "$text" is the body as text, "$json" the parsed body whole',
            ),
          })
          .strict()
          .describe("A GET request to the environment's app, from the server"),
      })
      .strict(),
    z
      .object({
        ...base,
        judge: JudgeSpec.describe(
          "An LLM judge's verdict; judges run last, and only when no required check or forbid failed unless always",
        ),
      })
      .strict(),
    z
      .object({
        ...base,
        fn: z
          .object({
            name: z.string().min(1).describe("The name of an evaluator plugin registered in the server"),
            args: z.unknown().optional().describe("Passed to the plugin as they are"),
          })
          .strict()
          .describe("A registered evaluator plugin"),
      })
      .strict(),
    z
      .object({
        ...base,
        all: z.array(Check).min(1).describe("Passes when every child passes; scores the lowest child score"),
      })
      .strict(),
    z
      .object({ ...base, any: z.array(Check).min(1).describe("Passes when a child passes; scores the highest") })
      .strict(),
    z
      .object({
        ...base,
        // A clone of Check itself (`.describe`) would build its union again, and that one another clone.
        not: z.lazy(() => Check).describe("Passes when this check fails; scores 1 minus its score"),
      })
      .strict(),
  ]),
);
z.globalRegistry.add(Check, {
  id: "Check",
  description: "One check: id, weight, required and description, and exactly one kind (mutation, forbid, ...)",
});

export const Lookup = z
  .object({
    env: z.string().describe(envOf("whose database is read")),
    table: z.string().min(1).describe("The table"),
    where: Where.describe(whereOf("the one row to bind; exactly one row must match")),
    from: z
      .enum(["baseline", "live"])
      .default("live")
      .describe("`live` (default): the database now; `baseline`: as the last start or reset left it"),
    pick: z
      .string()
      .optional()
      .describe('A column to bind; without it the whole row is bound ({"$ref": "vars.alice.id"})'),
  })
  .strict();
export type Lookup = z.output<typeof Lookup>;

export const Criteria = z
  .object({
    version: z.literal(1).describe("The criteria language's version: 1"),
    vars: z
      .record(z.string().regex(/^[A-Za-z_]\w*$/), Lookup)
      .optional()
      .describe(
        'Rows bound before the checks run, by name, in order, for {"$ref": "vars.<name>[.<column>]"}; a var\'s where may $ref the vars before it',
      ),
    checks: z.array(Check).min(1).describe("The checks, run in order (judges last)"),
    scoring: z
      .object({
        strategy: z
          .enum(["weighted", "all", "tac"])
          .default("weighted")
          .describe(
            "`weighted` (default): sum of weight x score over the sum of weights; `all`: the product of the scores; `tac`: half the weighted score, plus 0.5 on success",
          ),
        passThreshold: z
          .number()
          .min(0)
          .max(1)
          .default(1)
          .describe("The score success needs (with every required check passed and no forbid violated); 1 by default"),
        gateCap: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe("The highest weighted score when a required check fails; 0.5 by default"),
      })
      .strict()
      .default({ strategy: "weighted", passThreshold: 1, gateCap: 0.5 })
      .describe("How check scores make the task's score and success"),
    noise: z
      .object({
        ignoreTables: z
          .array(z.string())
          .default([])
          .describe("Tables whose changes the checks do not see, schema optional"),
        ignoreColumns: z
          .array(z.string())
          .default([])
          .describe("`table.column`, `*.column` or `column`: an update that changes only these is not seen"),
      })
      .strict()
      .optional()
      .describe("The task's own noise rules, on top of the simulator's"),
  })
  .strict();
export type Criteria = z.output<typeof Criteria>;

export const TaskEnv = z
  .object({
    alias: Alias,
    simulator: z.string().optional().describe("The simulator the environment runs; give it or artifact"),
    tag: z.string().optional().describe("The simulator's version (image tag); latest when unset"),
    artifact: z.string().optional().describe("An artifact id to start from instead of a simulator"),
    start_url: z
      .string()
      .startsWith("/")
      .default("/")
      .describe("Path the agent starts at, on the environment's public URL; / by default"),
  })
  .strict()
  .refine((e) => (e.simulator === undefined) !== (e.artifact === undefined), "give either simulator or artifact");

/** A task file: `simulators/<name>/tasks/<id>.yaml` or, spanning simulators, `tasks/<id>.yaml`. */
export const Task = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)?$/, 'a task id looks like "redmine/close-duplicate"')
      .describe('`<simulator>/<slug>`, or `<slug>` for a task spanning simulators, e.g. "redmine/close-duplicate"'),
    title: z.string().min(1).describe("A short title"),
    prompt: z.string().min(1).describe("What the agent is asked to do"),
    envs: z.array(TaskEnv).min(1).describe("The environments a session of the task starts"),
    criteria: Criteria.describe("How the session's state and the agent's answer are scored"),
    tags: z.array(z.string()).default([]).describe("Free-form labels"),
    difficulty: z.enum(["easy", "medium", "hard"]).describe("How hard the task is for an agent"),
    solution: z
      .string()
      .optional()
      .describe("A module beside the task file exporting reference (`solve`) and wrong (`wrong`) solutions"),
  })
  .strict();
export type Task = z.output<typeof Task>;

export const TaskSummary = z.object({
  id: z.string().describe("The task's id: GET /api/v2/tasks/{id} shows it"),
  title: z.string().describe("Its title"),
  difficulty: z.string().describe("easy, medium or hard"),
  tags: z.array(z.string()).describe("Its labels"),
  simulators: z
    .array(z.string())
    .describe('The simulators its environments run, each once ("artifact" for one started from an artifact)'),
  checks: z.number().describe("How many top-level checks its criteria have"),
});
export const InvalidTaskFile = z.object({
  file: z.string().describe("The task file's path on the server"),
  problems: z.array(z.string()).describe("Every problem found, field by field"),
});
export const TaskList = z.object({
  tasks: z.array(TaskSummary).describe("The tasks that validate"),
  invalid: z.array(InvalidTaskFile).describe("Task files that do not validate, each with every problem found"),
});
export type TaskList = z.infer<typeof TaskList>;

export const EvaluateRequest = z
  .object({
    value: z.string().optional().describe("The agent's final answer, for answer checks and judges"),
  })
  .strict();
export type EvaluateRequest = z.infer<typeof EvaluateRequest>;

export const CheckResult: z.ZodType<CheckResult> = z.lazy(() =>
  z.object({
    id: z.string().describe("The check's id; `state:<alias>` for an environment whose state could not be read"),
    kind: z
      .string()
      .describe(
        "mutation, forbid, onlyExpected, row, sql, file, answer, http, judge, fn, all, any or not; state for an unreadable environment",
      ),
    pass: z.boolean().describe("Whether the check holds"),
    score: z.number().describe("0 to 1"),
    weight: z.number().describe("The check's weight (1 unless the criteria say otherwise)"),
    required: z.boolean().describe("Whether the check is a gate"),
    status: z
      .enum(["ok", "error", "skipped"])
      .describe(
        "`ok`: it ran; `error`: it could not run (the evaluator's or the environment's fault, not the agent's); `skipped`: a judge not run because a gate failed. Not ok means pass false, score 0",
      ),
    reason: z.string().optional().describe("Why it did not pass (or a judge's rationale)"),
    evidence: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "What it found, e.g. changes (ids of the changes it matched), bind, rows (a count), unexpected, a judge's verdicts",
      ),
    checks: z.array(CheckResult).optional().describe("The children's results, for all, any and not"),
  }),
);
z.globalRegistry.add(CheckResult, { id: "CheckResult", description: "The result of one check" });
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
  task_id: z.string().describe("The task the session was made for"),
  status: z
    .enum(["ok", "error"])
    .describe("`error` when a check could not run (the evaluator's or the environment's fault, not the agent's)"),
  success: z
    .boolean()
    .describe(
      "The task is done: no forbid violated, every required check passed, score at least passThreshold, and status ok",
    ),
  score: z.number().describe("0 to 1 (6 decimals), by the criteria's scoring strategy"),
  checks: z.array(CheckResult).describe("One result per top-level check, in the criteria's order"),
  unexpected: z
    .array(z.string())
    .describe("Ids of changes no mutation check claimed and no allow selector covered (from onlyExpected)"),
  judge: z
    .object({ calls: z.number().describe("How many times a judge was asked (samples and $llm matchers included)") })
    .describe("Judge usage"),
  duration_ms: z.number().describe("How long the evaluation took, in milliseconds"),
});
export type EvaluationResult = z.infer<typeof EvaluationResult>;
