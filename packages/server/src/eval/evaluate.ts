import type {
  Check,
  CheckResult,
  DbState,
  EvaluationResult,
  FileChange,
  Matcher,
  MutationMatch,
  Selector,
  Task,
  Value,
} from "@terrarium/wire";
import { match, matchWhere, readPath, UnboundRef, type MatchContext } from "./matchers.js";
import type { Judge, JudgeEvidence } from "./judge.js";
import { applyNoise, namesTable } from "../capture/noise.js";

/** What one environment changed (net, or the ordered log), or why it could not be read. */
export type EnvChanges = { dbs: DbState[]; files: FileChange[] } | { error: string };

/** Reads of the live environments the evaluator needs besides the captured state. */
export interface LiveAccess {
  /** Every row of a table, as it is now or as it was at the baseline. */
  rows(env: string, table: string, from: "live" | "baseline"): Promise<Record<string, Value>[]>;
  /** A read-only SQL query with a timeout. */
  query(env: string, sql: string, params: unknown[]): Promise<Record<string, Value>[]>;
  /** A file's current text, or undefined when it does not exist. */
  file(env: string, path: string): Promise<string | undefined>;
  /** A GET on the environment's app: the body as text, and parsed when it is JSON. */
  http(env: string, path: string): Promise<{ status: number; body: unknown; text?: string }>;
}

/** A named evaluator plugin for `fn` checks. */
export type EvalFn = (
  args: unknown,
  context: { net: Record<string, EnvChanges>; live: LiveAccess; answer?: string },
) => Promise<{ pass: boolean; score?: number; reason?: string; evidence?: Record<string, unknown> }>;

export interface EvaluationInput {
  task: Task;
  /** Net changes per alias. */
  net: Record<string, EnvChanges>;
  /** The ordered log per alias, read only when a check asks for `source: log`. */
  log: () => Promise<Record<string, EnvChanges>>;
  answer?: string;
  live: LiveAccess;
  judge?: Judge;
  fns?: Map<string, EvalFn>;
  now?: Date;
}

/** A row change or a file change, as checks see it: `$files` is the table of file changes. */
interface Item {
  id: string;
  env: string;
  table: string;
  op: string;
  pk: Record<string, unknown>;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  changed?: string[];
}

type Binds = Map<string, Item>;

const FILES = "$files";

/** The changes as checks see them, after the task's own noise rules (the simulator's are applied at capture). */
function itemsOf(changes: Record<string, EnvChanges>, noise: Task["criteria"]["noise"]): Item[] {
  const rules = { tables: noise?.ignoreTables ?? [], columns: noise?.ignoreColumns ?? [], rows: [] };
  const items: Item[] = [];
  for (const [env, state] of Object.entries(changes)) {
    if ("error" in state) continue;
    for (const db of state.dbs) {
      // applyNoise narrows `changed` in place: it works on copies.
      for (const c of applyNoise(
        db.changes.map((c) => ({ ...c })),
        rules,
      ).changes) {
        items.push({
          id: c.id,
          env,
          table: c.table,
          op: c.op,
          pk: c.pk,
          before: c.before,
          after: c.after,
          ...(c.changed ? { changed: c.changed } : {}),
        });
      }
    }
    state.files.forEach((f, i) => {
      const meta = (m: FileChange["before"], content?: string) =>
        m ? { ...m, ...(content !== undefined ? { content } : {}) } : null;
      items.push({
        id: `${env}:file:${i + 1}`,
        env,
        table: FILES,
        op: f.op,
        pk: { path: f.path, ...(f.from ? { from: f.from } : {}) },
        before: f.op === "add" ? null : meta(f.before, f.text?.before),
        after: f.op === "delete" ? null : meta(f.after, f.text?.after),
        ...(f.text?.diff ? { changed: ["content"] } : {}),
      });
    });
  }
  return items;
}

const ops = (op: MutationMatch["op"]) => (op === undefined ? undefined : Array.isArray(op) ? op : [op]);

/** The evaluator: scores captured state, live reads and the agent's answer against a task's criteria. */
export async function evaluate(input: EvaluationInput): Promise<EvaluationResult> {
  const started = Date.now();
  const { criteria } = input.task;
  const now = input.now ?? new Date();
  const judge = { calls: 0 };
  const envErrors = Object.entries(input.net).filter(([, s]) => "error" in s) as [string, { error: string }][];
  const net = itemsOf(input.net, criteria.noise);
  let logItems: Item[] | undefined;
  const logOf = async () => (logItems ??= itemsOf(await input.log(), criteria.noise));

  // 1. vars, bound from the baseline or the live database, in order: a var's where may $ref the ones
  // before it (`{ party: { $ref: vars.polar.id } }`).
  const vars: Record<string, unknown> = {};
  const varErrors: Record<string, string> = {};
  const earlierVars: MatchContext = {
    now,
    ref(path) {
      const [head, name, ...inner] = path.split(".");
      if (head !== "vars" || name === undefined) return undefined;
      if (varErrors[name]) throw new UnboundRef(`vars.${name} is not bound: ${varErrors[name]}`);
      if (!(name in vars))
        throw new UnboundRef(`vars.${name} is not bound before this var (a var can use earlier ones)`);
      return inner.length ? readPath(vars[name], inner.join(".")) : vars[name];
    },
  };
  for (const [name, lookup] of Object.entries(criteria.vars ?? {})) {
    try {
      const rows = await input.live.rows(lookup.env, lookup.table, lookup.from);
      const found: Record<string, Value>[] = [];
      for (const row of rows) if ((await matchWhere(row, lookup.where, earlierVars)).ok) found.push(row);
      if (found.length !== 1) {
        varErrors[name] =
          `${found.length === 0 ? "no" : found.length} row(s) of ${lookup.table} in ${lookup.env} match ${JSON.stringify(lookup.where)} (${lookup.from}), expected exactly 1`;
        continue;
      }
      vars[name] = lookup.pick ? found[0]![lookup.pick] : found[0];
    } catch (error) {
      varErrors[name] = `${lookup.env}.${lookup.table}: ${(error as Error).message}`;
    }
  }

  const context = (binds: Binds): MatchContext => ({
    now,
    ref(path) {
      const [head, ...rest] = path.split(".");
      if (head === "vars") {
        const [name, ...inner] = rest;
        if (varErrors[name!]) throw new UnboundRef(`vars.${name} is not bound: ${varErrors[name!]}`);
        const value = vars[name!];
        return inner.length ? readPath(value, inner.join(".")) : value;
      }
      const item = binds.get(head!);
      if (!item) return undefined;
      return rest.length ? readPath(item, rest.join(".")) : item;
    },
    ...(input.judge
      ? { llm: (value: unknown, description: string) => llmMatch(input, value, description, judge) }
      : {}),
  });

  /** Whether an item satisfies a mutation match under the given bindings, and if not why. */
  async function fits(item: Item, m: MutationMatch, binds: Binds): Promise<{ ok: boolean; reason?: string }> {
    if (m.env && item.env !== m.env) return { ok: false, reason: `it is in ${item.env}, not ${m.env}` };
    if (!namesTable(m.table, item.table)) return { ok: false, reason: `its table is ${item.table}, not ${m.table}` };
    const wanted = ops(m.op);
    if (wanted && !wanted.includes(item.op as never))
      return { ok: false, reason: `it is an ${item.op}, not ${wanted.join("/")}` };
    const outcome = await matchWhere(item, m.where, context(binds));
    if (!outcome.ok) return outcome;
    if (m.changedOnly && item.op === "update") {
      const extra = (item.changed ?? []).filter((c) => !m.changedOnly!.includes(c));
      if (extra.length)
        return {
          ok: false,
          reason: `it also changed ${extra.join(", ")}; only ${m.changedOnly.join(", ")} may change`,
        };
    }
    return { ok: true };
  }

  const results: CheckResult[] = [];
  /** Changes a check took, with the check's id: each change counts for one check at most. */
  const claimed = new Map<string, string>();
  const binds: Binds = new Map();

  // 2. mutation checks: an assignment of changes to checks, each change to at most one check, that
  // keeps $refs consistent and scores most (depth-first; the sets are small).
  const top = criteria.checks.filter((c): c is Check & { mutation: MutationMatch } => "mutation" in c);
  const assignment = await assign(top, net, fits);
  for (const [i, check] of top.entries()) {
    const chosen = assignment.choice[i];
    if (chosen) {
      chosen.items.forEach((it) => claimed.set(it.id, check.id));
      if (check.mutation.bind) binds.set(check.mutation.bind, chosen.items[0]!);
    }
  }

  /** Why no change satisfied a mutation match: the nearest candidates, named, and what they lack. */
  const explain = async (m: MutationMatch, pool: Item[], taken: Map<string, string>): Promise<string> => {
    const what = `no ${ops(m.op)?.join("/") ?? "change"} of ${m.table}${m.env ? ` in ${m.env}` : ""} matched`;
    const sameKind = pool.filter(
      (it) =>
        (!m.env || it.env === m.env) &&
        namesTable(m.table, it.table) &&
        (!ops(m.op) || ops(m.op)!.includes(it.op as never)),
    );
    if (sameKind.length === 0) {
      const anyOfTable = pool.filter((it) => namesTable(m.table, it.table));
      return anyOfTable.length
        ? `${what}; that table only had: ${listChanges(anyOfTable, 3)}`
        : `${what}: the table has no changes`;
    }
    const fitting: Item[] = [];
    const fitsNow = async (it: Item) => (await fits(it, m, binds).catch(() => ({ ok: false }))).ok;
    const free = sameKind.filter((it) => !taken.has(it.id));
    for (const it of free) if (await fitsNow(it)) fitting.push(it);
    if (fitting.length > 0)
      return `${fitting.length} change(s) matched, expected ${describeCount(m.count)}: ${listChanges(fitting, 8)}`;
    const elsewhere: Item[] = [];
    for (const it of sameKind) if (taken.has(it.id) && (await fitsNow(it))) elsewhere.push(it);
    if (elsewhere.length > 0) {
      return `${what} that no other check took: ${elsewhere
        .slice(0, 3)
        .map((it) => `${describeChange(it)} is taken by check "${taken.get(it.id)}"`)
        .join(", ")}`;
    }
    const nearest = free[0] ?? sameKind[0]!;
    const why = await fits(nearest, m, binds).catch((e: Error) => ({ ok: false, reason: e.message }));
    return `${what}; nearest: ${describeChange(nearest)}, but ${why.reason ?? "it does not match"}`;
  };

  // 3. every check in its declared order; judges last.
  const gatesPassed = () => results.every((r) => !(r.required && !r.pass) && !(r.kind === "forbid" && !r.pass));
  const deferred: { index: number; check: Check }[] = [];
  const ordered: (CheckResult | undefined)[] = [];
  for (const [index, check] of criteria.checks.entries()) {
    if ("judge" in check) {
      deferred.push({ index, check });
      ordered.push(undefined);
      continue;
    }
    const result = await runCheck(check, top.indexOf(check as never));
    results.push(result);
    ordered.push(result);
  }
  for (const { index, check } of deferred) {
    const spec = (check as { judge: { always?: boolean } }).judge;
    const result =
      spec.always || gatesPassed()
        ? await runCheck(check, -1)
        : base(check, "judge", { status: "skipped", reason: "not run: a required check or a forbid failed" });
    results.push(result);
    ordered[index] = result;
  }

  async function runCheck(check: Check, topIndex: number): Promise<CheckResult> {
    try {
      return await checkResult(check, topIndex);
    } catch (error) {
      // A $ref to a change no check bound is the agent's failure (the change it depends on is missing);
      // an unbound var, or anything else, is the evaluator's.
      if (error instanceof UnboundRef && !error.message.startsWith("vars."))
        return base(check, kindOf(check), { reason: `${error.message}: the change it refers to was not made` });
      return base(check, kindOf(check), { status: "error", reason: (error as Error).message });
    }
  }

  async function checkResult(check: Check, topIndex: number): Promise<CheckResult> {
    const kind = kindOf(check);
    if ("mutation" in check) {
      const m = check.mutation;
      if (topIndex >= 0) {
        const chosen = assignment.choice[topIndex];
        if (chosen) {
          return base(check, kind, {
            pass: true,
            score: 1,
            evidence: {
              changes: chosen.items.map((it) => it.id),
              ...(m.bind ? { bind: { [m.bind]: { pk: chosen.items[0]!.pk } } } : {}),
            },
          });
        }
        const unbound = assignment.unbound[topIndex];
        if (unbound?.startsWith("vars.")) return base(check, kind, { status: "error", reason: unbound });
        if (unbound) return base(check, kind, { reason: `${unbound}: the change it refers to was not made` });
        const pool = m.source === "log" ? await logOf() : net;
        const countZero = await countAccepts(m.count, 0, context(binds));
        if (countZero) return base(check, kind, { pass: true, score: 1, evidence: { changes: [] } });
        return base(check, kind, { reason: await explain(m, pool, claimed) });
      }
      // Inside all/any/not: matched against every change, without claiming exclusively.
      const pool = m.source === "log" ? await logOf() : net;
      const found: Item[] = [];
      for (const it of pool) if ((await fits(it, m, binds)).ok) found.push(it);
      found.forEach((it) => claimed.set(it.id, check.id));
      const ok = await countAccepts(m.count, found.length, context(binds));
      if (ok && m.bind && found[0]) binds.set(m.bind, found[0]);
      return ok
        ? base(check, kind, { pass: true, score: 1, evidence: { changes: found.map((it) => it.id) } })
        : base(check, kind, {
            reason: found.length
              ? `${found.length} change(s) matched, expected ${describeCount(m.count)}: ${listChanges(found, 8)}`
              : await explain(m, pool, new Map()),
          });
    }
    if ("forbid" in check) {
      const pool = check.forbid.source === "log" ? await logOf() : net;
      const found: Item[] = [];
      for (const it of pool) if ((await fits(it, check.forbid, binds)).ok) found.push(it);
      return found.length === 0
        ? base(check, kind, { pass: true, score: 1 })
        : base(check, kind, {
            reason: `forbidden change(s), expected none: ${listChanges(found, 8)}`,
            evidence: { changes: found.map((it) => it.id) },
          });
    }
    if ("onlyExpected" in check) {
      const { envs, allow = [], tolerance } = check.onlyExpected;
      const ctx = context(binds);
      const unexpected: Item[] = [];
      for (const it of net) {
        if ((envs && !envs.includes(it.env)) || claimed.has(it.id)) continue;
        if (!(await someAllows(allow, it, ctx))) unexpected.push(it);
      }
      const n = unexpected.length;
      const score = n === 0 ? 1 : tolerance ? Math.max(0, 1 - n / tolerance) : 0;
      return base(check, kind, {
        pass: n === 0,
        score,
        ...(n
          ? {
              reason: `${n} change(s) no check took and no allow rule permits, expected none${tolerance ? ` (each costs 1/${tolerance} of its score)` : ""}: ${listChanges(unexpected, 8)}`,
            }
          : {}),
        evidence: { unexpected: unexpected.map((it) => it.id) },
      });
    }
    if ("row" in check) {
      const { env, table, where, expect, count } = check.row;
      const rows = await input.live.rows(env, table, "live");
      const ctx = context(binds);
      const found: Record<string, Value>[] = [];
      for (const row of rows) if ((await matchWhere(row, where, ctx)).ok) found.push(row);
      if (!(await countAccepts(count, found.length, ctx)))
        return base(check, kind, {
          reason: `${found.length} row(s) of ${table} in ${env} match ${JSON.stringify(where)}, expected ${describeCount(count)}`,
        });
      for (const row of found) {
        const outcome = await matchWhere(row, expect, ctx);
        if (!outcome.ok)
          // Named by the columns that selected it, never dumped whole: rows can hold secrets.
          return base(check, kind, { reason: `the ${table} row where ${describeRow(row, where)}: ${outcome.reason}` });
      }
      return base(check, kind, { pass: true, score: 1, evidence: { rows: found.length } });
    }
    if ("sql" in check) {
      const { env, query, params = [], expect } = check.sql;
      const rows = await input.live.query(env, query, params);
      const ctx = context(binds);
      if (expect.rows !== undefined) {
        const o = await match(rows.length, expect.rows, ctx);
        if (!o.ok) return base(check, kind, { reason: `row count: ${o.reason}` });
      }
      if (expect.scalar !== undefined) {
        const first = rows[0] ? Object.values(rows[0])[0] : undefined;
        const o = await match(first, expect.scalar, ctx);
        if (!o.ok) return base(check, kind, { reason: `scalar: ${o.reason}` });
      }
      if (expect.all) {
        for (const row of rows) {
          const o = await matchWhere(row, expect.all, ctx);
          if (!o.ok)
            return base(check, kind, { reason: `row ${rows.indexOf(row) + 1} of ${rows.length}: ${o.reason}` });
        }
      }
      return base(check, kind, { pass: true, score: 1, evidence: { rows: rows.length } });
    }
    if ("file" in check) {
      const { env, path, op, content, json } = check.file;
      const change = net.find((it) => it.env === env && it.table === FILES && it.pk.path === path);
      const wanted = op === undefined ? undefined : Array.isArray(op) ? op : [op];
      if (wanted && (!change || !wanted.includes(change.op as never)))
        return base(check, kind, {
          reason: `${path}: ${change ? `was ${change.op}` : "unchanged"}, not ${wanted.join("/")}`,
        });
      if (content !== undefined || json !== undefined) {
        const text = (change?.after?.content as string | undefined) ?? (await input.live.file(env, path));
        if (text === undefined) return base(check, kind, { reason: `${path} does not exist` });
        const ctx = context(binds);
        if (content !== undefined) {
          const o = await match(text, content, ctx);
          if (!o.ok) return base(check, kind, { reason: `${path} content: ${o.reason}` });
        }
        if (json) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return base(check, kind, { reason: `${path} is not JSON` });
          }
          const o = await matchWhere(parsed, json, ctx);
          if (!o.ok) return base(check, kind, { reason: `${path}: ${o.reason}` });
        }
      }
      return base(check, kind, { pass: true, score: 1, ...(change ? { evidence: { changes: [change.id] } } : {}) });
    }
    if ("answer" in check) {
      if (input.answer === undefined) return base(check, kind, { reason: "no answer was given (evaluate({ value }))" });
      const o = await match(input.answer, check.answer, context(binds));
      return o.ok ? base(check, kind, { pass: true, score: 1 }) : base(check, kind, { reason: `answer ${o.reason}` });
    }
    if ("http" in check) {
      const { env, path, status = 200, expect } = check.http;
      const response = await input.live.http(env, path);
      if (response.status !== status)
        return base(check, kind, { reason: `GET ${path} answered ${response.status}, not ${status}` });
      // Paths read the JSON body; "$text" is the body as text (HTML pages), "$json" the parsed body whole.
      const body = response.body;
      const subject = {
        ...(body !== null && typeof body === "object" && !Array.isArray(body) ? body : {}),
        $json: body,
        $text: response.text ?? (typeof body === "string" ? body : JSON.stringify(body)),
      };
      const o = await matchWhere(subject, expect, context(binds));
      return o.ok
        ? base(check, kind, { pass: true, score: 1 })
        : base(check, kind, { reason: `GET ${path}: ${o.reason}` });
    }
    if ("judge" in check) {
      if (!input.judge) {
        return base(check, kind, {
          status: "error",
          reason:
            "no judge is configured: set TERRARIUM_JUDGE_URL (an OpenAI-compatible endpoint), TERRARIUM_JUDGE_MODEL and TERRARIUM_JUDGE_API_KEY",
        });
      }
      const spec = check.judge;
      const evidence = await Promise.all((spec.evidence ?? []).map((e) => resolveEvidence(e, input, binds, net)));
      const samples = spec.samples ?? 1;
      const verdicts = [];
      for (let i = 0; i < samples; i++) {
        judge.calls++;
        verdicts.push(
          await input.judge.judge(
            {
              task: { id: input.task.id, prompt: input.task.prompt },
              rubric: spec.rubric,
              scale: spec.scale ?? "binary",
              evidence,
            },
            { seed: i },
          ),
        );
      }
      const passes = verdicts.filter((v) => v.pass).length;
      const mean = verdicts.reduce((s, v) => s + v.score, 0) / verdicts.length;
      const pass =
        (spec.aggregate ?? "majority") === "majority"
          ? passes * 2 > verdicts.length
          : mean >= (spec.passThreshold ?? 0.5);
      return base(check, kind, {
        pass,
        score: (spec.aggregate ?? "majority") === "majority" ? (pass ? 1 : 0) : mean,
        reason: verdicts.map((v) => v.rationale).join(" | "),
        evidence: { judge: input.judge.id, verdicts },
      });
    }
    if ("fn" in check) {
      const fn = input.fns?.get(check.fn.name);
      if (!fn)
        return base(check, kind, {
          status: "error",
          reason: `no evaluator plugin named "${check.fn.name}" is registered`,
        });
      const out = await fn(check.fn.args, { net: input.net, live: input.live, answer: input.answer });
      return base(check, kind, {
        pass: out.pass,
        score: out.score ?? (out.pass ? 1 : 0),
        ...(out.reason ? { reason: out.reason } : {}),
        ...(out.evidence ? { evidence: out.evidence } : {}),
      });
    }
    if ("all" in check || "any" in check) {
      const children = "all" in check ? check.all : check.any;
      const inner: CheckResult[] = [];
      for (const child of children) inner.push(await runCheck(child, -1));
      const errored = inner.some((r) => r.status === "error");
      const pass = "all" in check ? inner.every((r) => r.pass) : inner.some((r) => r.pass);
      const score = "all" in check ? Math.min(...inner.map((r) => r.score)) : Math.max(...inner.map((r) => r.score));
      const failing = inner.filter((r) => !r.pass).map((r) => `${r.id}: ${r.reason ?? "failed"}`);
      return base(check, kind, {
        pass,
        score,
        status: errored && !pass ? "error" : "ok",
        ...(pass ? {} : { reason: failing.join("; ") }),
        checks: inner,
      });
    }
    const inner = await runCheck(check.not, -1);
    if (inner.status === "error") return base(check, kind, { status: "error", reason: inner.reason, checks: [inner] });
    // What made the inner check hold, named: the changes it found, if it looked at changes.
    const ids = (inner.evidence?.changes as string[] | undefined) ?? [];
    const pool = "mutation" in check.not && check.not.mutation.source === "log" ? await logOf() : net;
    const seen = pool.filter((it) => ids.includes(it.id));
    return base(check, kind, {
      pass: !inner.pass,
      score: 1 - inner.score,
      ...(inner.pass
        ? { reason: `${inner.id} must not hold, and it does${seen.length ? `: ${listChanges(seen, 8)}` : ""}` }
        : {}),
      checks: [inner],
    });
  }

  // 4. scoring.
  const final = ordered as CheckResult[];
  const { strategy, passThreshold, gateCap } = criteria.scoring;
  const totalWeight = final.reduce((s, r) => s + r.weight, 0);
  const weighted =
    totalWeight === 0
      ? final.every((r) => r.pass)
        ? 1
        : 0
      : final.reduce((s, r) => s + r.weight * r.score, 0) / totalWeight;
  const requiredFailed = final.some((r) => r.required && !r.pass);
  const forbids = criteria.checks.filter((c) => "forbid" in c) as (Check & {
    forbid: MutationMatch;
    penalty?: "zero" | number;
  })[];
  const violated = forbids.filter((c) => !final.find((r) => r.id === c.id)!.pass);
  let score =
    strategy === "all"
      ? final.reduce((p, r) => p * (r.weight === 0 ? 1 : r.score), 1)
      : requiredFailed
        ? Math.min(weighted, gateCap)
        : weighted;
  if (violated.some((c) => c.penalty === "zero")) score = 0;
  for (const c of violated) if (typeof c.penalty === "number") score = Math.max(0, score - c.penalty);
  let success = violated.length === 0 && !requiredFailed && score >= passThreshold - 1e-9;
  if (strategy === "tac") score = 0.5 * weighted + 0.5 * (success ? 1 : 0);
  if (strategy === "all") success = success && final.every((r) => r.pass);
  const errored = final.some((r) => r.status === "error") || envErrors.length > 0;
  const unexpected = (final.find((r) => r.kind === "onlyExpected")?.evidence?.unexpected as string[] | undefined) ?? [];
  if (envErrors.length) {
    final.push(
      ...envErrors.map(([env, e]) => ({
        id: `state:${env}`,
        kind: "state",
        pass: false,
        score: 0,
        weight: 0,
        required: false,
        status: "error" as const,
        reason: `the state of ${env} could not be read: ${e.error}`,
      })),
    );
  }
  return {
    task_id: input.task.id,
    status: errored ? "error" : "ok",
    success: success && !errored,
    score: Math.round(score * 1e6) / 1e6,
    checks: final,
    unexpected,
    judge,
    duration_ms: Date.now() - started,
  };
}

function kindOf(check: Check): string {
  for (const kind of [
    "mutation",
    "forbid",
    "onlyExpected",
    "row",
    "sql",
    "file",
    "answer",
    "http",
    "judge",
    "fn",
    "all",
    "any",
    "not",
  ])
    if (kind in check) return kind;
  return "unknown";
}

function base(check: Check, kind: string, over: Partial<CheckResult>): CheckResult {
  const weight = check.weight ?? 1;
  return {
    id: check.id,
    kind,
    pass: false,
    score: 0,
    weight,
    required: check.required ?? false,
    status: "ok",
    ...over,
    ...(over.status === "error" || over.status === "skipped" ? { pass: false, score: 0 } : {}),
  };
}

async function countAccepts(count: Matcher | undefined, n: number, ctx: MatchContext): Promise<boolean> {
  return (await match(n, count ?? { $gte: 1 }, ctx)).ok;
}

async function someAllows(selectors: Selector[], item: Item, ctx: MatchContext): Promise<boolean> {
  for (const selector of selectors) if (await allows(selector, item, ctx)) return true;
  return false;
}

async function allows(selector: Selector, item: Item, ctx: MatchContext): Promise<boolean> {
  if (selector.env && selector.env !== item.env) return false;
  if (!namesTable(selector.table, item.table)) return false;
  if (selector.op && !selector.op.includes(item.op as never)) return false;
  if (selector.columns && !(item.op === "update" && (item.changed ?? []).every((c) => selector.columns!.includes(c))))
    return false;
  return !selector.where || (await matchWhere(item, selector.where, ctx)).ok;
}

const describeRow = (row: Record<string, Value>, where: Record<string, Matcher>) =>
  Object.keys(where)
    .map((k) => `${k}=${JSON.stringify(readPath(row, k))}`)
    .join(", ");

/**
 * A change as a reader names it: environment, table, key and what happened, e.g.
 * `forge ticket tkt_id=2 (update of title)` or `forge file /data/notes.txt (add)`. Only the key's
 * columns are shown (a few, shortened), never the row: rows can hold secrets.
 */
function describeChange(it: Item): string {
  if (it.table === FILES) {
    const from = it.pk.from === undefined ? "" : ` from ${String(it.pk.from)}`;
    return `${it.env} file ${String(it.pk.path)} (${it.op}${from})`;
  }
  const key = Object.entries(it.pk);
  const shown = key
    .slice(0, 3)
    .map(([k, v]) => `${k}=${shorten(v)}`)
    .join(" ");
  const changed = it.op === "update" && it.changed?.length ? ` of ${it.changed.join(", ")}` : "";
  return `${it.env} ${it.table} ${shown}${key.length > 3 ? " ..." : ""} (${it.op}${changed})`;
}

const shorten = (value: unknown) => {
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

const listChanges = (items: Item[], max: number) =>
  `${items.slice(0, max).map(describeChange).join(", ")}${items.length > max ? ` and ${items.length - max} more` : ""}`;

/** A count matcher in words: `exactly 1`, `at least 1`, `at least 2 and at most 5`. */
function describeCount(count: Matcher | undefined): string {
  const matcher = count ?? { $gte: 1 };
  if (matcher === null || typeof matcher !== "object") return `exactly ${JSON.stringify(matcher)}`;
  const words: Record<string, string> = {
    $eq: "exactly",
    $gte: "at least",
    $gt: "more than",
    $lte: "at most",
    $lt: "fewer than",
    $ne: "any number but",
    $in: "one of",
    $nin: "none of",
  };
  return Object.entries(matcher)
    .map(([op, arg]) =>
      words[op]
        ? `${words[op]} ${Array.isArray(arg) ? arg.join(" or ") : JSON.stringify(arg)}`
        : JSON.stringify({ [op]: arg }),
    )
    .join(" and ");
}

interface Choice {
  items: Item[];
}

/**
 * Assigns changes to the mutation checks: each change to at most one check, `$ref`s consistent with
 * what earlier checks bound, maximising the total weight of satisfied checks.
 */
async function assign(
  checks: (Check & { mutation: MutationMatch })[],
  items: Item[],
  fits: (item: Item, m: MutationMatch, binds: Binds) => Promise<{ ok: boolean }>,
): Promise<{ choice: (Choice | undefined)[]; unbound: (string | undefined)[] }> {
  const weights = checks.map((c) => c.weight ?? 1);
  const remainingMax = weights.map((_, i) => weights.slice(i).reduce((s, w) => s + w, 0));
  let best = { total: -1, choice: [] as (Choice | undefined)[] };
  const unbound: (string | undefined)[] = [];
  const claimed = new Set<string>();
  const binds: Binds = new Map();
  const choice: (Choice | undefined)[] = [];
  let steps = 0;

  const visit = async (i: number, total: number): Promise<void> => {
    if (++steps > 20_000) return; // a bound on pathological criteria; the best found so far stands
    if (i === checks.length) {
      if (total > best.total) best = { total, choice: [...choice] };
      return;
    }
    if (total + remainingMax[i]! <= best.total) return;
    const m = checks[i]!.mutation;
    const pool = m.source === "log" ? [] : items.filter((it) => !claimed.has(it.id));
    const matching: Item[] = [];
    for (const it of pool) {
      try {
        if ((await fits(it, m, binds)).ok) matching.push(it);
      } catch (error) {
        if (!(error instanceof UnboundRef)) throw error;
        unbound[i] ??= error.message;
      }
    }
    for (const first of matching) {
      // The check claims the first change it binds and every other change that matches with that binding.
      if (m.bind) binds.set(m.bind, first);
      const group = [first];
      for (const other of matching)
        if (other !== first && (await fits(other, m, binds).catch(() => ({ ok: false }))).ok) group.push(other);
      if ((await match(group.length, m.count ?? { $gte: 1 }, { now: new Date(), ref: () => undefined })).ok) {
        group.forEach((it) => claimed.add(it.id));
        choice[i] = { items: group };
        await visit(i + 1, total + weights[i]!);
        group.forEach((it) => claimed.delete(it.id));
        choice[i] = undefined;
      }
      if (m.bind) binds.delete(m.bind);
      if (best.total === remainingMax[0]) return;
    }
    await visit(i + 1, total);
  };
  await visit(0, 0);
  // A check that nothing matched has no unbound excuse when a later pass could bind it.
  return { choice: best.choice, unbound: checks.map((_, i) => (best.choice[i] ? undefined : unbound[i])) };
}

async function llmMatch(input: EvaluationInput, value: unknown, description: string, counter: { calls: number }) {
  counter.calls++;
  const verdict = await input.judge!.judge(
    {
      task: { id: input.task.id, prompt: input.task.prompt },
      rubric: `The value is consistent with this description: ${description}`,
      scale: "binary",
      evidence: [{ label: "value", kind: "text", content: typeof value === "string" ? value : JSON.stringify(value) }],
    },
    {},
  );
  return verdict.pass;
}

const EVIDENCE_LIMIT = 8 * 1024;

/** "answer", "change:<bind>[.<path>]", "file:<env>:<path>#diff|#after": what a judge gets to see. */
async function resolveEvidence(
  spec: string,
  input: EvaluationInput,
  binds: Binds,
  net: Item[],
): Promise<JudgeEvidence> {
  const cut = (label: string, kind: JudgeEvidence["kind"], content: string): JudgeEvidence =>
    content.length > EVIDENCE_LIMIT
      ? { label, kind, content: content.slice(0, EVIDENCE_LIMIT), truncated: true }
      : { label, kind, content };
  if (spec === "answer") return cut("the agent's answer", "text", input.answer ?? "(no answer)");
  if (spec.startsWith("change:")) {
    const [name, ...path] = spec.slice(7).split(".");
    const item = binds.get(name!);
    if (!item) throw new Error(`evidence ${spec}: nothing is bound as ${name}`);
    const value = path.length ? readPath(item, path.join(".")) : item;
    return cut(
      spec,
      typeof value === "string" ? "text" : "json",
      typeof value === "string" ? value : JSON.stringify(value, null, 1),
    );
  }
  const file = /^file:([^:]+):(.+?)#(diff|after)$/.exec(spec);
  if (file) {
    const [, env, path, part] = file;
    if (part === "after") return cut(spec, "text", (await input.live.file(env!, path!)) ?? "(no such file)");
    const state = input.net[env!];
    const change = state && !("error" in state) ? state.files.find((f) => f.path === path) : undefined;
    return cut(spec, "diff", change?.text?.diff ?? "(no diff: the file did not change, or is not text)");
  }
  void net;
  throw new Error(`unknown evidence "${spec}": use answer, change:<bind>.<path> or file:<env>:<path>#diff|#after`);
}
