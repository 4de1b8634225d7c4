import { describe, expect, it } from "vitest";
import { Task, type DbState, type FileChange, type Value } from "@terrarium/wire";
import { evaluate, type EnvChanges, type LiveAccess } from "../src/eval/evaluate.js";
import { looselyEqual, match } from "../src/eval/matchers.js";
import type { Judge } from "../src/eval/judge.js";
import { TaskCatalog } from "../src/services/tasks.js";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A recorded state, as capture reports it for a CRM-like app: a deal inserted for Jane, Jane promoted,
// a call note on the deal, a noisy session row, and a file written.
const db = (changes: DbState["changes"]): DbState => ({
  name: "crm",
  engine: "postgres",
  database: "crm",
  capture: { method: "logical", cut: "0/1" },
  tables: {},
  changes,
  ignored: { rows: 0, rules: [] },
});
const recorded: EnvChanges = {
  dbs: [
    db([
      {
        id: "crm:1",
        table: "public.deals",
        op: "insert",
        pk: { id: 981 },
        before: null,
        after: { id: 981, title: "Acme renewal", amount: "12000.00", stage: "Negotiation", contact_id: 17 },
      },
      {
        id: "crm:2",
        table: "public.contacts",
        op: "update",
        pk: { id: 17 },
        before: { id: 17, name: "Jane Doe", status: "lead", updated_at: "2026-01-01T10:00:00" },
        after: { id: 17, name: "Jane Doe", status: "customer", updated_at: "2026-12-01T10:00:00" },
        changed: ["status", "updated_at"],
      },
      {
        id: "crm:3",
        table: "public.notes",
        op: "insert",
        pk: { id: 5 },
        before: null,
        after: { id: 5, kind: "call", deal_id: 981, body: "Called Jane about the renewal", at: "2026-12-01T10:05:00" },
      },
      {
        id: "crm:4",
        table: "public.activity_log",
        op: "insert",
        pk: { id: 77 },
        before: null,
        after: { id: 77, what: "deal created" },
      },
    ]),
  ],
  files: [
    {
      path: "/data/export.json",
      op: "add",
      type: "file",
      after: { size: 30, sha256: "x", mode: 0o644 },
      text: { after: '{"deals": 1, "owner": "jane"}' },
    } as FileChange,
  ],
};

const tables: Record<string, Record<string, Value>[]> = {
  "public.contacts": [
    { id: 17, name: "Jane Doe", status: "customer" },
    { id: 18, name: "John Roe", status: "lead" },
  ],
  "public.deals": [{ id: 981, title: "Acme renewal", amount: "12000.00" }],
};
const live: LiveAccess = {
  async rows(_env, table, from) {
    const rows = tables[table] ?? tables[`public.${table}`] ?? [];
    // The baseline: Jane was a lead, the deal did not exist.
    if (from === "baseline")
      return rows.filter((r) => r.id !== 981).map((r) => (r.id === 17 ? { ...r, status: "lead" } : r));
    return rows;
  },
  async query(_env, sql) {
    if (sql.includes("count")) return [{ count: "2" }];
    if (sql.includes("boom")) throw new Error('syntax error at or near "boom"');
    return tables["public.contacts"]!;
  },
  async file(_env, path) {
    return path === "/data/export.json" ? '{"deals": 1, "owner": "jane"}' : undefined;
  },
  async http(_env, path) {
    const page = "<h1>Deals</h1><p>Acme renewal</p>";
    if (path === "/deals") return { status: 200, body: page, text: page };
    if (path === "/api/deals") return { status: 200, body: [{ id: 981 }] };
    return path === "/api/deals/981"
      ? { status: 200, body: { deal: { stage: "Negotiation" } } }
      : { status: 404, body: "" };
  },
};

function task(criteria: Record<string, unknown>) {
  return Task.parse({
    id: "crm-renewal",
    title: "Renewal",
    prompt: "Create the Acme renewal deal for Jane, promote her, log a call.",
    envs: [{ alias: "crm", simulator: "crm" }],
    difficulty: "medium",
    criteria: { version: 1, ...criteria },
  });
}

const run = (criteria: Record<string, unknown>, extra: { answer?: string; judge?: Judge; net?: EnvChanges } = {}) =>
  evaluate({
    task: task(criteria),
    net: { crm: extra.net ?? recorded },
    log: async () => ({ crm: extra.net ?? recorded }),
    live,
    answer: extra.answer,
    judge: extra.judge,
    now: new Date("2026-12-01T10:10:00Z"),
  });
const check = async (criteria: Record<string, unknown>, extra = {}) => (await run(criteria, extra)).checks[0]!;

describe("matchers", () => {
  const ctx = { now: new Date("2026-12-01T10:10:00Z"), ref: (p: string) => ({ "vars.jane.id": 17 })[p] };
  const cases: [unknown, unknown, boolean][] = [
    ["12000.00", 12000, true],
    [1, true, true],
    ["0", false, true],
    ["2026-12-01T10:00:00", "2026-12-01 10:00:00", true],
    ["  Jane ", "Jane", true],
    ["Jane", "jane", false],
    [{ a: 1 }, { a: 1 }, true],
    [null, null, true],
    [null, 0, false],
  ];
  it.each(cases)("equality: %j = %j is %s", (a, b, expected) => expect(looselyEqual(a, b)).toBe(expected));

  const ops: [unknown, unknown, boolean][] = [
    [5, { $ne: 4 }, true],
    ["b", { $in: ["a", "b"] }, true],
    ["c", { $nin: ["a", "b"] }, true],
    [10, { $gt: 9, $lte: 10 }, true],
    ["2026-12-02", { $gte: "2026-12-01" }, true],
    [3, { $lt: 3 }, false],
    ["12000.004", { $approx: { value: 12000, abs: 0.01 } }, true],
    [105, { $approx: { value: 100, rel: 0.01 } }, false],
    ["Acme renewal", { $contains: "renewal" }, true],
    ["Acme renewal", { $icontains: "ACME" }, true],
    [["a", "b"], { $contains: "b" }, true],
    ["== Q3 Roadmap ==\ntext", { $regex: "(?m)^=+ *Q3 Roadmap *=+$" }, true],
    ["  Hello", { $startsWith: "Hello" }, true],
    [undefined, { $exists: false }, true],
    [null, { $null: true }, true],
    [17, { $ref: "vars.jane.id" }, true],
    ["contact 17 called", { $contains: { $ref: "vars.jane.id" } }, true],
    [18, { $ne: { $ref: "vars.jane.id" } }, true],
    [17, { $ne: { $ref: "vars.jane.id" } }, false],
    [17, { $in: [1, { $ref: "vars.jane.id" }] }, true],
    [17, { $nin: [{ $ref: "vars.jane.id" }] }, false],
    [20, { $gt: { $ref: "vars.jane.id" } }, true],
    ["2026-12-01T10:05:00Z", { $within: { of: "now", duration: "15m" } }, true],
    ["2026-11-30T10:05:00Z", { $within: { of: "now", duration: "1h" } }, false],
    ['{"a": {"b": 2}}', { $json: { "a.b": 2 } }, true],
    ["x", { $not: "y" }, true],
    [5, { $and: [{ $gt: 1 }, { $lt: 9 }] }, true],
    [5, { $or: [1, 2] }, false],
  ];
  it.each(ops)("%j against %j is %s", async (value, matcher, expected) =>
    expect((await match(value, matcher as never, ctx)).ok).toBe(expected),
  );

  it("explains a failure in terms of the value", async () => {
    expect((await match("lead", "customer", ctx)).reason).toBe('"lead" is not "customer"');
  });
  it("needs a judge for $llm", async () => {
    await expect(match("x", { $llm: "a greeting" }, ctx)).rejects.toThrow(/needs a judge/);
  });
});

describe("checks", () => {
  const dealCheck = {
    id: "deal",
    mutation: {
      table: "deals",
      op: "insert",
      bind: "deal",
      where: {
        "after.title": { $icontains: "acme renewal" },
        "after.amount": { $approx: { value: 12000, abs: 0.01 } },
      },
    },
  };

  it("mutation: matches, binds and reports the change it claimed", async () => {
    const c = await check({ checks: [dealCheck] });
    expect(c).toMatchObject({
      pass: true,
      score: 1,
      evidence: { changes: ["crm:1"], bind: { deal: { pk: { id: 981 } } } },
    });
  });

  it("mutation: a $ref follows an earlier binding, and a failure names the nearest change", async () => {
    const result = await run({
      checks: [
        dealCheck,
        {
          id: "call",
          mutation: {
            table: "notes",
            op: "insert",
            where: { "after.deal_id": { $ref: "deal.after.id" }, "after.kind": "email" },
          },
        },
      ],
    });
    expect(result.checks[1]).toMatchObject({
      pass: false,
      reason:
        'no insert of notes matched; nearest: crm public.notes id=5 (insert), but after.kind: "call" is not "email"',
    });
  });

  it("mutation: a change another check took is named with that check", async () => {
    const two = await run({
      checks: [
        { id: "first", mutation: { table: "deals", op: "insert" } },
        { id: "second", mutation: { table: "deals", op: "insert" } },
      ],
    });
    expect(two.checks[1]).toMatchObject({
      pass: false,
      reason:
        'no insert of deals matched that no other check took: crm public.deals id=981 (insert) is taken by check "first"',
    });
  });

  it("mutation: a failure names what the table had instead", async () => {
    const deleted = await check({ checks: [{ id: "d", mutation: { table: "contacts", op: "delete" } }] });
    expect(deleted.reason).toBe(
      "no delete of contacts matched; that table only had: crm public.contacts id=17 (update of status, updated_at)",
    );
    const file = await check({ checks: [{ id: "f", mutation: { table: "$files", op: "delete" } }] });
    expect(file.reason).toBe("no delete of $files matched; that table only had: crm file /data/export.json (add)");
  });

  it("mutation: vars bound from the baseline; changedOnly rejects other columns", async () => {
    const vars = {
      jane: { env: "crm", table: "contacts", where: { name: "Jane Doe", status: "lead" }, from: "baseline" },
    };
    const ok = await check({
      vars,
      checks: [
        {
          id: "promoted",
          mutation: {
            table: "contacts",
            op: "update",
            where: { "pk.id": { $ref: "vars.jane.id" }, "after.status": "customer" },
            changedOnly: ["status", "updated_at"],
          },
        },
      ],
    });
    expect(ok.pass).toBe(true);
    const strict = await check({
      vars,
      checks: [
        {
          id: "promoted",
          mutation: {
            table: "contacts",
            op: "update",
            where: { "pk.id": { $ref: "vars.jane.id" } },
            changedOnly: ["status"],
          },
        },
      ],
    });
    expect(strict).toMatchObject({
      pass: false,
      reason:
        "no update of contacts matched; nearest: crm public.contacts id=17 (update of status, updated_at), but it also changed updated_at; only status may change",
    });
  });

  it("mutation: each change satisfies at most one check, and the assignment makes the most checks pass", async () => {
    // Both checks could take the deal; only the second must, since the first can also take the note.
    const result = await run({
      checks: [
        { id: "any-insert", mutation: { table: "$any", op: "insert" } },
        { id: "something", mutation: { op: "insert", table: "notes" } },
        { id: "deal", mutation: { op: "insert", table: "deals" } },
      ],
    });
    expect(result.checks.map((c) => c.pass)).toEqual([false, true, true]);
    const two = await run({
      checks: [
        { id: "first", mutation: { table: "deals", op: "insert" } },
        { id: "second", mutation: { table: "deals", op: "insert" } },
      ],
    });
    expect(two.checks.map((c) => c.pass)).toEqual([true, false]);
  });

  it("mutation: count", async () => {
    expect(await check({ checks: [{ id: "n", mutation: { table: "notes", count: { $eq: 2 } } }] })).toMatchObject({
      pass: false,
      reason: "1 change(s) matched, expected exactly 2: crm public.notes id=5 (insert)",
    });
    const inner = await check({
      checks: [{ id: "both", all: [{ id: "n", mutation: { table: "notes", count: { $gte: 2, $lte: 3 } } }] }],
    });
    expect(inner.reason).toBe(
      "n: 1 change(s) matched, expected at least 2 and at most 3: crm public.notes id=5 (insert)",
    );
    expect((await check({ checks: [{ id: "none", mutation: { table: "invoices", count: { $eq: 0 } } }] })).pass).toBe(
      true,
    );
  });

  it("forbid: a matching change fails it, and penalty zero zeroes the score", async () => {
    const result = await run({
      checks: [dealCheck, { id: "no-log", forbid: { table: "activity_log" }, penalty: "zero" }],
    });
    expect(result.checks[1]).toMatchObject({
      pass: false,
      reason: "forbidden change(s), expected none: crm public.activity_log id=77 (insert)",
      evidence: { changes: ["crm:4"] },
    });
    expect(result).toMatchObject({ success: false, score: 0 });
    const fine = await run({
      checks: [dealCheck, { id: "no-delete", forbid: { table: "contacts", op: "delete", source: "log" } }],
    });
    expect(fine).toMatchObject({ success: true, score: 1 });
  });

  it("onlyExpected: changes no check claimed and no rule allows are collateral damage", async () => {
    const strict = await run({ checks: [dealCheck, { id: "only", onlyExpected: {} }] });
    expect(strict.checks[1]).toMatchObject({
      pass: false,
      score: 0,
      reason:
        "4 change(s) no check took and no allow rule permits, expected none: crm public.contacts id=17 (update of status, updated_at), crm public.notes id=5 (insert), crm public.activity_log id=77 (insert), crm file /data/export.json (add)",
    });
    expect(strict.unexpected).toEqual(["crm:2", "crm:3", "crm:4", "crm:file:1"]);
    const tolerant = await run({ checks: [dealCheck, { id: "only", onlyExpected: { tolerance: 8 } }] });
    expect(tolerant.checks[1]!.score).toBe(0.5);
    const allowed = await run({
      checks: [
        dealCheck,
        {
          id: "only",
          onlyExpected: {
            allow: [
              { table: "activity_log" },
              { table: "notes" },
              { table: "contacts", columns: ["status", "updated_at"] },
              { table: "$files" },
            ],
          },
        },
      ],
    });
    expect(allowed.checks[1]!.pass).toBe(true);
  });

  it("onlyExpected: an allow selector's where names single rows, so every other change stays forbidden", async () => {
    const only = (where: Record<string, unknown>) =>
      run({
        checks: [
          dealCheck,
          {
            id: "only",
            onlyExpected: {
              allow: [{ table: "contacts", where }, { table: "notes" }, { table: "activity_log" }, { table: "$files" }],
            },
          },
        ],
      });
    expect((await only({ "pk.id": 17, "after.status": "customer" })).checks[1]!.pass).toBe(true);
    const other = await only({ "pk.id": 18 });
    expect(other.checks[1]).toMatchObject({
      pass: false,
      reason:
        "1 change(s) no check took and no allow rule permits, expected none: crm public.contacts id=17 (update of status, updated_at)",
    });
    // Bound values work there too: here the contact of the deal a mutation check bound.
    const bound = await run({
      checks: [
        dealCheck,
        {
          id: "only",
          onlyExpected: {
            allow: [
              { table: "contacts", where: { "pk.id": { $ref: "deal.after.contact_id" } } },
              { table: "notes" },
              { table: "activity_log" },
              { table: "$files" },
            ],
          },
        },
      ],
    });
    expect(bound.checks[1]!.pass).toBe(true);
  });

  it("task noise: ignored tables leave no change, ignored columns leave an update's other columns", async () => {
    const result = await run({
      noise: { ignoreTables: ["activity_log"], ignoreColumns: ["contacts.updated_at"] },
      checks: [
        { id: "promoted", mutation: { table: "contacts", op: "update", changedOnly: ["status"] } },
        { id: "only", onlyExpected: { allow: [{ table: "deals" }, { table: "notes" }, { table: "$files" }] } },
      ],
    });
    expect(result.checks.map((c) => c.pass)).toEqual([true, true]);
    expect(recorded).toMatchObject({ dbs: [{ changes: [{}, { changed: ["status", "updated_at"] }, {}, {}] }] });
  });

  it("row: reads live rows", async () => {
    const c = await check({
      checks: [
        {
          id: "jane",
          row: { env: "crm", table: "contacts", where: { name: "Jane Doe" }, expect: { status: "customer" }, count: 1 },
        },
      ],
    });
    expect(c.pass).toBe(true);
    const wrong = await check({
      checks: [
        { id: "jane", row: { env: "crm", table: "contacts", where: { status: "lead" }, expect: { name: "Jane Doe" } } },
      ],
    });
    expect(wrong).toMatchObject({
      pass: false,
      reason: 'the contacts row where status="lead": name: "John Roe" is not "Jane Doe"',
    });
    const two = await check({
      checks: [
        { id: "one", row: { env: "crm", table: "contacts", where: { id: { $gte: 17 } }, expect: {}, count: 1 } },
      ],
    });
    expect(two.reason).toBe('2 row(s) of contacts in crm match {"id":{"$gte":17}}, expected exactly 1');
    const none = await check({
      checks: [{ id: "any", row: { env: "crm", table: "contacts", where: { name: "Nobody" }, expect: {} } }],
    });
    expect(none.reason).toBe('0 row(s) of contacts in crm match {"name":"Nobody"}, expected at least 1');
  });

  it("sql: rows, scalar and all; a failing query is an error, not a failure", async () => {
    expect(
      (
        await check({
          checks: [
            { id: "q", sql: { env: "crm", query: "SELECT count(*) FROM contacts", expect: { scalar: { $gte: 2 } } } },
          ],
        })
      ).pass,
    ).toBe(true);
    expect(
      (
        await check({
          checks: [
            {
              id: "q",
              sql: {
                env: "crm",
                query: "SELECT * FROM contacts",
                expect: { rows: 2, all: { status: { $in: ["lead", "customer"] } } },
              },
            },
          ],
        })
      ).pass,
    ).toBe(true);
    const broken = await run({ checks: [{ id: "q", sql: { env: "crm", query: "SELECT boom", expect: { rows: 1 } } }] });
    expect(broken.checks[0]).toMatchObject({ status: "error", pass: false, reason: 'syntax error at or near "boom"' });
    expect(broken).toMatchObject({ status: "error", success: false });
  });

  it("file: op, content and JSON paths", async () => {
    expect(
      (
        await check({
          checks: [
            { id: "f", file: { env: "crm", path: "/data/export.json", op: "add", json: { owner: "jane", deals: 1 } } },
          ],
        })
      ).pass,
    ).toBe(true);
    const wrongOp = await check({
      checks: [{ id: "f", file: { env: "crm", path: "/data/export.json", op: "delete" } }],
    });
    expect(wrongOp.reason).toBe("/data/export.json: was add, not delete");
    expect(
      (await check({ checks: [{ id: "f", file: { env: "crm", path: "/data/other", content: { $contains: "x" } } }] }))
        .reason,
    ).toBe("/data/other does not exist");
  });

  it("answer: matched, and missing is a failure", async () => {
    expect(
      (await check({ checks: [{ id: "a", answer: { $regex: "^\\s*12,?000" } }] }, { answer: " 12,000 dollars" })).pass,
    ).toBe(true);
    expect((await check({ checks: [{ id: "a", answer: "x" }] })).reason).toMatch(/no answer was given/);
  });

  it("http: status and JSON paths", async () => {
    expect(
      (
        await check({
          checks: [{ id: "h", http: { env: "crm", path: "/api/deals/981", expect: { "deal.stage": "Negotiation" } } }],
        })
      ).pass,
    ).toBe(true);
    expect(
      (await check({ checks: [{ id: "h", http: { env: "crm", path: "/api/deals/1", expect: {} } }] })).reason,
    ).toBe("GET /api/deals/1 answered 404, not 200");
    // "$text" is the body as text (an HTML page), "$json" the parsed body whole (an array here).
    const page = await check({
      checks: [{ id: "h", http: { env: "crm", path: "/deals", expect: { $text: { $contains: "Acme renewal" } } } }],
    });
    expect(page.pass).toBe(true);
    const list = await check({
      checks: [{ id: "h", http: { env: "crm", path: "/api/deals", expect: { "$json.0.id": 981 } } }],
    });
    expect(list.pass).toBe(true);
  });

  it("judge: without a configured judge it is an error that says how to configure one", async () => {
    const result = await run({
      checks: [dealCheck, { id: "j", judge: { rubric: "The note is polite", evidence: ["change:deal"] } }],
    });
    expect(result.checks[1]).toMatchObject({ status: "error", reason: expect.stringContaining("TERRARIUM_JUDGE_URL") });
    expect(result.status).toBe("error");
  });

  it("judge: runs last with the resolved evidence, majority of samples; skipped when a gate failed", async () => {
    const seen: string[] = [];
    let call = 0;
    const judge: Judge = {
      id: "fake:scripted",
      async judge(request) {
        seen.push(request.evidence.map((e) => `${e.label}=${e.content}`).join("|"));
        return { pass: call++ !== 1, score: 1, rationale: "ok" };
      },
    };
    const result = await run(
      {
        checks: [
          { id: "j", judge: { rubric: "r", evidence: ["change:deal.after.title", "answer"], samples: 3 } },
          dealCheck,
        ],
      },
      { judge, answer: "done" },
    );
    expect(result.checks[0]).toMatchObject({ id: "j", pass: true, score: 1 });
    expect(seen[0]).toBe("change:deal.after.title=Acme renewal|the agent's answer=done");
    expect(result.judge.calls).toBe(3);
    const gated = await run(
      {
        checks: [
          { ...dealCheck, required: true, mutation: { ...dealCheck.mutation, where: { "after.title": "nope" } } },
          { id: "j", judge: { rubric: "r" } },
        ],
      },
      { judge },
    );
    expect(gated.checks[1]).toMatchObject({ status: "skipped" });
  });

  it("fn: an unknown plugin is an error", async () => {
    expect(await check({ checks: [{ id: "f", fn: { name: "crm.dealApproved" } }] })).toMatchObject({ status: "error" });
  });

  it("all, any, not", async () => {
    const both = await check({ checks: [{ id: "both", all: [dealCheck, { id: "n", mutation: { table: "notes" } }] }] });
    expect(both.pass).toBe(true);
    const either = await check({
      checks: [
        {
          id: "either",
          any: [
            { id: "x", mutation: { table: "invoices" } },
            { id: "y", http: { env: "crm", path: "/api/deals/981", expect: { "deal.stage": "Negotiation" } } },
          ],
        },
      ],
    });
    expect(either).toMatchObject({
      pass: true,
      checks: [
        { id: "x", pass: false },
        { id: "y", pass: true },
      ],
    });
    const negated = await check({
      checks: [{ id: "no-invoice", not: { id: "inv", mutation: { table: "invoices" } } }],
    });
    expect(negated.pass).toBe(true);
    const held = await check({ checks: [{ id: "no-note", not: { id: "note", mutation: { table: "notes" } } }] });
    expect(held).toMatchObject({
      pass: false,
      reason: "note must not hold, and it does: crm public.notes id=5 (insert)",
    });
  });
});

describe("scoring", () => {
  const pass = { id: "p", mutation: { table: "deals" } };
  const failing = { id: "f", weight: 3, mutation: { table: "invoices" } };

  it("weighted: the weighted mean; a failed required check caps it at gateCap", async () => {
    expect(await run({ checks: [pass, failing] })).toMatchObject({ success: false, score: 0.25 });
    const gated = await run({
      checks: [
        { ...pass, weight: 9 },
        { ...failing, weight: 1, required: true },
      ],
    });
    expect(gated).toMatchObject({ success: false, score: 0.5 });
    expect(await run({ checks: [pass, failing], scoring: { passThreshold: 0.2 } })).toMatchObject({
      success: true,
      score: 0.25,
    });
  });

  it("all: the product of scores", async () => {
    expect(await run({ checks: [pass, failing], scoring: { strategy: "all" } })).toMatchObject({
      score: 0,
      success: false,
    });
  });

  it("tac: half the weighted score, half success", async () => {
    expect(await run({ checks: [pass, failing], scoring: { strategy: "tac" } })).toMatchObject({ score: 0.125 });
    expect(await run({ checks: [pass], scoring: { strategy: "tac" } })).toMatchObject({ score: 1, success: true });
  });

  it("an environment whose state could not be read makes the evaluation an error, not a failure of the agent", async () => {
    const result = await run({ checks: [pass] }, { net: { error: "cannot read PostgreSQL" } });
    expect(result).toMatchObject({ status: "error", success: false });
    expect(result.checks.at(-1)).toMatchObject({ id: "state:crm", status: "error" });
  });

  it("a var's where may use the vars before it, and names one that is not bound yet", async () => {
    const promoted = {
      id: "promoted",
      mutation: { table: "contacts", op: "update" as const, where: { "pk.id": { $ref: "vars.jane.id" } } },
    };
    const chained = await run({
      vars: {
        john: { env: "crm", table: "contacts", where: { name: "John Roe" } },
        jane: { env: "crm", table: "contacts", where: { id: { $ne: { $ref: "vars.john.id" } } } },
      },
      checks: [promoted],
    });
    expect(chained.checks[0]).toMatchObject({ id: "promoted", status: "ok", pass: true });
    const backwards = await run({
      vars: {
        jane: { env: "crm", table: "contacts", where: { id: { $ne: { $ref: "vars.john.id" } } } },
        john: { env: "crm", table: "contacts", where: { name: "John Roe" } },
      },
      checks: [promoted],
    });
    expect(backwards.checks[0]).toMatchObject({
      status: "error",
      reason:
        "vars.jane is not bound: crm.contacts: vars.john is not bound before this var (a var can use earlier ones)",
    });
  });

  it("an unbound var is the evaluator's error", async () => {
    const result = await run({
      vars: { ghost: { env: "crm", table: "contacts", where: { name: "Nobody" } } },
      checks: [{ id: "c", mutation: { table: "contacts", where: { "pk.id": { $ref: "vars.ghost.id" } } } }],
    });
    expect(result.checks[0]).toMatchObject({
      status: "error",
      reason:
        'vars.ghost is not bound: no row(s) of contacts in crm match {"name":"Nobody"} (live), expected exactly 1',
    });
  });
});

describe("task files", () => {
  it("reports every invalid task with its file and the field at fault, and keeps the valid ones", () => {
    const root = mkdtempSync(join(tmpdir(), "tasks-"));
    const folder = join(root, "simulators", "crm", "tasks");
    mkdirSync(folder, { recursive: true });
    const ok = {
      id: "crm/renewal",
      title: "t",
      prompt: "p",
      difficulty: "easy",
      envs: [{ alias: "crm", simulator: "crm" }],
      criteria: { version: 1, checks: [{ id: "d", mutation: { table: "deals" } }] },
    };
    writeFileSync(join(folder, "renewal.yaml"), JSON.stringify(ok));
    writeFileSync(
      join(folder, "typo.yaml"),
      JSON.stringify({
        ...ok,
        id: "crm/typo",
        criteria: { version: 1, checks: [{ id: "d", mutaton: { table: "x" } }] },
      }),
    );
    writeFileSync(
      join(folder, "badref.yaml"),
      JSON.stringify({
        ...ok,
        id: "crm/badref",
        envs: [{ alias: "crm", simulator: "nope" }],
        criteria: {
          version: 1,
          checks: [{ id: "d", mutation: { env: "cmr", table: "x", where: { "pk.id": { $ref: "vars.jane.id" } } } }],
        },
      }),
    );
    writeFileSync(join(folder, "wrongid.yaml"), JSON.stringify({ ...ok, id: "crm/other", difficulty: "trivial" }));
    writeFileSync(join(folder, "broken.yaml"), "id: [unclosed");
    const catalog = new TaskCatalog(
      join(root, "simulators"),
      join(root, "tasks"),
      () => new Map([["crm", {} as never]]),
    );
    const { tasks, invalid } = catalog.load();
    expect([...tasks.keys()]).toEqual(["crm/renewal"]);
    const problems = Object.fromEntries(invalid.map((i) => [i.file.split("/").pop(), i.problems]));
    expect(problems["typo.yaml"]).toEqual(["criteria.checks.0: unknown field(s) mutaton"]);
    expect(problems["badref.yaml"]).toEqual([
      'envs.0.simulator: no simulator "nope" (known: crm)',
      "envs.0.simulator: a task in simulators/crm/tasks uses only crm; put tasks spanning simulators in tasks/",
      'criteria.checks.0.mutation.env: no environment "cmr" in envs',
      'criteria.checks.0.mutation.where.pk.id: $ref "vars.jane.id" names no var "jane"',
    ]);
    expect(problems["wrongid.yaml"]).toEqual([expect.stringMatching(/^difficulty: /)]);
    expect(problems["broken.yaml"]![0]).toMatch(/^not valid YAML/);
  });
});
