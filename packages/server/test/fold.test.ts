import { describe, expect, it } from "vitest";
import type { RowChange } from "@terrarium/wire";
import { foldChanges } from "../src/capture/fold.js";

type Change = Omit<RowChange, "id">;
const ins = (id: number, after: Record<string, unknown>, seq = 0): Change => ({
  table: "t",
  op: "insert",
  pk: { id },
  before: null,
  after: { id, ...after } as never,
  seq,
});
const upd = (id: number, before: Record<string, unknown>, after: Record<string, unknown>, seq = 0): Change => ({
  table: "t",
  op: "update",
  pk: { id },
  before: { id, ...before } as never,
  after: { id, ...after } as never,
  changed: Object.keys(after),
  seq,
});
const del = (id: number, before: Record<string, unknown>, seq = 0): Change => ({
  table: "t",
  op: "delete",
  pk: { id },
  before: { id, ...before } as never,
  after: null,
  seq,
});

describe("foldChanges", () => {
  it.each([
    [
      "insert+update -> insert with the last values",
      [ins(1, { a: 1 }), upd(1, { a: 1 }, { a: 2 })],
      [{ op: "insert", after: { id: 1, a: 2 } }],
    ],
    ["insert+delete -> nothing", [ins(1, { a: 1 }), del(1, { a: 1 })], []],
    [
      "update+update -> one update, first before and last after",
      [upd(1, { a: 1 }, { a: 2 }), upd(1, { a: 2 }, { a: 3 })],
      [{ op: "update", before: { id: 1, a: 1 }, after: { id: 1, a: 3 }, changed: ["a"] }],
    ],
    ["update back to the start -> nothing", [upd(1, { a: 1 }, { a: 2 }), upd(1, { a: 2 }, { a: 1 })], []],
    [
      "update+delete -> delete of the first before",
      [upd(1, { a: 1 }, { a: 2 }), del(1, { a: 2 })],
      [{ op: "delete", before: { id: 1, a: 1 }, after: null }],
    ],
    [
      "delete+insert -> update",
      [del(1, { a: 1, b: 1 }), ins(1, { a: 1, b: 2 })],
      [{ op: "update", before: { id: 1, a: 1, b: 1 }, after: { id: 1, a: 1, b: 2 }, changed: ["b"] }],
    ],
    [
      "insert+delete+insert -> insert",
      [ins(1, { a: 1 }), del(1, { a: 1 }), ins(1, { a: 5 })],
      [{ op: "insert", after: { id: 1, a: 5 } }],
    ],
  ])("%s", (_name, log, expected) => {
    expect(foldChanges(log)).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  it("keeps rows apart by table and key, in order of first appearance", () => {
    const other: Change = { ...ins(1, { a: 1 }), table: "u" };
    expect(
      foldChanges([ins(2, { a: 1 }), other, ins(1, { a: 1 }), upd(2, { a: 1 }, { a: 9 })]).map((c) => [
        c.table,
        c.pk.id,
        c.op,
      ]),
    ).toEqual([
      ["t", 2, "insert"],
      ["u", 1, "insert"],
      ["t", 1, "insert"],
    ]);
  });
});
