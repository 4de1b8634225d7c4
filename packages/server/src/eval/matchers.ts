import { regexOf, type Matcher } from "@terrarium/wire";

/** What a matcher needs besides the value: `$ref` targets, the clock, and a judge for `$llm`. */
export interface MatchContext {
  /** Resolves "vars.alice.id", "issue.after.id"...; undefined when the name is not bound (yet). */
  ref(path: string): unknown;
  now: Date;
  /** Semantic match through a judge; throws when none is configured. */
  llm?(value: unknown, description: string): Promise<boolean>;
}

export interface MatchOutcome {
  ok: boolean;
  /** Why not, in terms of the value and the matcher. */
  reason?: string;
}

/** A `$ref` to a name nothing bound: the check cannot be decided yet (or ever). */
export class UnboundRef extends Error {}

const OK: MatchOutcome = { ok: true };
const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const fail = (value: unknown, expected: string): MatchOutcome => ({ ok: false, reason: `${show(value)} ${expected}` });

/** Reads a dotted path ("after.status", "rows.0.id") from a value; JSON text is parsed on the way. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(".")) {
    if (typeof current === "string" && /^\s*[[{]/.test(current)) {
      try {
        current = JSON.parse(current);
      } catch {
        return undefined;
      }
    }
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;
const asNumber = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && NUMERIC.test(v) ? Number(v) : undefined;
const TIMESTAMP = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)?)?$/;
const asInstant = (v: unknown): number | undefined => {
  if (typeof v !== "string" || !TIMESTAMP.test(v.trim())) return undefined;
  const text = v.trim().replace(" ", "T");
  // Capture reports timestamps without a zone as they are stored: read them as UTC, consistently.
  const zoned = /(Z|[+-]\d\d(:?\d\d)?)$/.test(text) || text.length === 10 ? text : `${text}Z`;
  const t = Date.parse(zoned);
  return Number.isNaN(t) ? undefined : t;
};

/**
 * Type-aware equality: numeric strings equal numbers ("12000.00" = 12000), 1/0 equal true/false
 * (MySQL's tinyint booleans), timestamps compare as instants, strings trimmed, objects by content.
 */
export function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a === "boolean" || typeof b === "boolean") {
    const bool = (v: unknown) =>
      typeof v === "boolean" ? v : v === 1 || v === "1" ? true : v === 0 || v === "0" ? false : v;
    return bool(a) === bool(b);
  }
  const [na, nb] = [asNumber(a), asNumber(b)];
  if (na !== undefined && nb !== undefined) return na === nb;
  const [ta, tb] = [asInstant(a), asInstant(b)];
  if (ta !== undefined && tb !== undefined) return ta === tb;
  if (typeof a === "string" && typeof b === "string") return a.trim() === b.trim();
  if (typeof a === "object" && typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function compare(a: unknown, b: unknown): number | undefined {
  const [na, nb] = [asNumber(a), asNumber(b)];
  if (na !== undefined && nb !== undefined) return na - nb;
  const [ta, tb] = [asInstant(a), asInstant(b)];
  if (ta !== undefined && tb !== undefined) return ta - tb;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

const DURATION_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * DURATION_MS[m[2] as keyof typeof DURATION_MS];
}

/** `(?i)`/`(?m)`/`(?s)` prefixes, as in the design's examples, become JavaScript flags. */
export const toRegExp = regexOf;

const TEXT_OPS = new Set(["$contains", "$icontains", "$startsWith"]);
const REF_ARGS = new Set(["$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", ...TEXT_OPS]);
const isRef = (v: unknown): v is { $ref: string } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "$ref" in v;

function resolveRefs(arg: unknown, ctx: MatchContext): unknown {
  if (Array.isArray(arg)) return arg.map((a) => resolveRefs(a, ctx));
  if (!isRef(arg)) return arg;
  const value = ctx.ref(arg.$ref);
  if (value === undefined) throw new UnboundRef(`$ref ${arg.$ref} is not bound`);
  return value;
}

const text = (v: unknown) =>
  typeof v === "string" ? v : v === null || v === undefined ? undefined : JSON.stringify(v);

/** Whether `value` satisfies `matcher`; every operator of a matcher object must hold. */
export async function match(value: unknown, matcher: Matcher, ctx: MatchContext): Promise<MatchOutcome> {
  if (matcher === null || typeof matcher !== "object") {
    return looselyEqual(value, matcher) ? OK : fail(value, `is not ${show(matcher)}`);
  }
  for (const [op, arg] of Object.entries(matcher)) {
    const outcome = await operator(value, op, arg, ctx);
    if (!outcome.ok) return outcome;
  }
  return OK;
}

async function operator(value: unknown, op: string, given: unknown, ctx: MatchContext): Promise<MatchOutcome> {
  // Comparison arguments may be `{ $ref }`s: `{ $ne: { $ref: "vars.x.id" } }`, `{ $in: [1, { $ref: ... }] }`.
  let arg = REF_ARGS.has(op) ? resolveRefs(given, ctx) : given;
  if (TEXT_OPS.has(op) && typeof arg !== "string" && arg !== undefined) arg = JSON.stringify(arg);
  switch (op) {
    case "$eq":
      return looselyEqual(value, arg) ? OK : fail(value, `is not ${show(arg)}`);
    case "$ne":
      return !looselyEqual(value, arg) ? OK : fail(value, `must not be ${show(arg)}`);
    case "$in":
      return (arg as unknown[]).some((a) => looselyEqual(value, a)) ? OK : fail(value, `is not one of ${show(arg)}`);
    case "$nin":
      return !(arg as unknown[]).some((a) => looselyEqual(value, a))
        ? OK
        : fail(value, `must not be one of ${show(arg)}`);
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte": {
      const c = compare(value, arg);
      const holds = c !== undefined && (op === "$gt" ? c > 0 : op === "$gte" ? c >= 0 : op === "$lt" ? c < 0 : c <= 0);
      const word = { $gt: ">", $gte: ">=", $lt: "<", $lte: "<=" }[op];
      return holds ? OK : fail(value, `is not ${word} ${show(arg)}`);
    }
    case "$approx": {
      const { value: target, abs, rel } = arg as { value: number; abs?: number; rel?: number };
      const n = asNumber(value);
      const tolerance = Math.max(
        abs ?? 0,
        (rel ?? 0) * Math.abs(target),
        abs === undefined && rel === undefined ? 1e-9 : 0,
      );
      return n !== undefined && Math.abs(n - target) <= tolerance ? OK : fail(value, `is not ${target} ± ${tolerance}`);
    }
    case "$contains": {
      if (Array.isArray(value))
        return value.some((v) => looselyEqual(v, arg)) ? OK : fail(value, `does not contain ${show(arg)}`);
      return text(value)?.includes(String(arg)) ? OK : fail(value, `does not contain ${show(arg)}`);
    }
    case "$icontains":
      return text(value)?.toLowerCase().includes(String(arg).toLowerCase())
        ? OK
        : fail(value, `does not contain ${show(arg)} (any case)`);
    case "$startsWith":
      return text(value)?.trimStart().startsWith(String(arg)) ? OK : fail(value, `does not start with ${show(arg)}`);
    case "$regex": {
      const t = text(value);
      return t !== undefined && toRegExp(String(arg)).test(t) ? OK : fail(value, `does not match /${String(arg)}/`);
    }
    case "$exists":
      return (value !== undefined) === arg ? OK : fail(value, arg ? "is missing" : "must be absent");
    case "$null":
      return (value === null) === arg ? OK : fail(value, arg ? "is not null" : "is null");
    case "$ref": {
      const target = ctx.ref(String(arg));
      if (target === undefined) throw new UnboundRef(`$ref ${String(arg)} is not bound`);
      return looselyEqual(value, target) ? OK : fail(value, `is not ${String(arg)} (${show(target)})`);
    }
    case "$within": {
      const { of, duration } = arg as { of: string; duration: string };
      const at = asInstant(value);
      const reference = of === "now" ? ctx.now.getTime() : asInstant(of.startsWith("$") ? ctx.ref(of.slice(1)) : of);
      if (at === undefined) return fail(value, "is not a timestamp");
      if (reference === undefined) throw new UnboundRef(`$within: ${of} is not a timestamp`);
      return Math.abs(at - reference) <= durationMs(duration) ? OK : fail(value, `is not within ${duration} of ${of}`);
    }
    case "$json": {
      let parsed = value;
      if (typeof value === "string") {
        try {
          parsed = JSON.parse(value);
        } catch {
          return fail(value, "is not JSON");
        }
      }
      for (const [path, inner] of Object.entries(arg as Record<string, Matcher>)) {
        const outcome = await match(readPath(parsed, path), inner, ctx);
        if (!outcome.ok) return { ok: false, reason: `${path}: ${outcome.reason}` };
      }
      return OK;
    }
    case "$llm": {
      if (!ctx.llm) throw new Error("$llm needs a judge: configure one (TERRARIUM_JUDGE_URL, TERRARIUM_JUDGE_MODEL)");
      return (await ctx.llm(value, String(arg))) ? OK : fail(value, `is not consistent with "${String(arg)}" (judge)`);
    }
    case "$not": {
      const inner = await match(value, arg as Matcher, ctx);
      return inner.ok ? fail(value, `must not match ${show(arg)}`) : OK;
    }
    case "$and": {
      for (const m of arg as Matcher[]) {
        const outcome = await match(value, m, ctx);
        if (!outcome.ok) return outcome;
      }
      return OK;
    }
    case "$or": {
      const reasons: string[] = [];
      for (const m of arg as Matcher[]) {
        const outcome = await match(value, m, ctx);
        if (outcome.ok) return OK;
        reasons.push(outcome.reason ?? "no");
      }
      return { ok: false, reason: reasons.join("; and ") };
    }
    default:
      throw new Error(`unknown matcher operator ${op}`);
  }
}

/** Every `path: matcher` of a where clause against an object; the first failure explains. */
export async function matchWhere(
  subject: unknown,
  where: Record<string, Matcher> | undefined,
  ctx: MatchContext,
): Promise<MatchOutcome> {
  for (const [path, matcher] of Object.entries(where ?? {})) {
    const outcome = await match(readPath(subject, path), matcher, ctx);
    if (!outcome.ok) return { ok: false, reason: `${path}: ${outcome.reason}` };
  }
  return OK;
}
