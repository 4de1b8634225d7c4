import { describe, expect, it } from "vitest";
import { decode, normalisePg, slotName } from "../src/capture/postgres.js";

// wal2json format-version 2 output (include-xids, include-timestamp, include-types, include-pk) as
// PostgreSQL 15 prints it for a table with REPLICA IDENTITY FULL.
const records = [
  { action: "B", xid: 812, timestamp: "2026-11-23 20:09:55.121+00" },
  {
    action: "I",
    xid: 812,
    schema: "public",
    table: "issues",
    columns: [
      { name: "id", type: "integer", value: 41 },
      { name: "subject", type: "character varying(255)", value: "Crash on empty key" },
      { name: "estimated_hours", type: "double precision", value: null },
      { name: "created_on", type: "timestamp without time zone", value: "2026-11-23 20:09:55.12" },
    ],
    pk: [{ name: "id", type: "integer" }],
  },
  { action: "C", xid: 812 },
  { action: "B", xid: 813, timestamp: "2026-11-23 20:10:01.5+00" },
  {
    action: "U",
    xid: 813,
    schema: "public",
    table: "issues",
    columns: [
      { name: "id", type: "integer", value: 41 },
      { name: "subject", type: "character varying(255)", value: "Crash on an empty key" },
      { name: "estimated_hours", type: "double precision", value: 2.5 },
      { name: "created_on", type: "timestamp without time zone", value: "2026-11-23 20:09:55.12" },
    ],
    identity: [
      { name: "id", type: "integer", value: 41 },
      { name: "subject", type: "character varying(255)", value: "Crash on empty key" },
      { name: "estimated_hours", type: "double precision", value: null },
      { name: "created_on", type: "timestamp without time zone", value: "2026-11-23 20:09:55.12" },
    ],
    pk: [{ name: "id", type: "integer" }],
  },
  {
    action: "D",
    xid: 813,
    schema: "public",
    table: "tokens",
    identity: [
      { name: "id", type: "bigint", value: 9007199254740991 },
      { name: "value", type: "bytea", value: "\\x00ff" },
    ],
    pk: [{ name: "id", type: "bigint" }],
  },
  { action: "C", xid: 813 },
] as Parameters<typeof decode>[0];

describe("PostgreSQL logical decoding (wal2json format 2)", () => {
  it("turns records into ordered changes with full before-values, transaction ids and times", () => {
    const { changes, tables, warnings } = decode(records);
    expect(warnings).toEqual([]);
    expect(changes).toEqual([
      {
        table: "public.issues",
        op: "insert",
        pk: { id: 41 },
        before: null,
        after: { id: 41, subject: "Crash on empty key", estimated_hours: null, created_on: "2026-11-23T20:09:55.12" },
        seq: 1,
        tx: "812",
        ts: "2026-11-23T20:09:55.121Z",
      },
      expect.objectContaining({
        table: "public.issues",
        op: "update",
        pk: { id: 41 },
        before: expect.objectContaining({ subject: "Crash on empty key", estimated_hours: null }),
        after: expect.objectContaining({ subject: "Crash on an empty key", estimated_hours: 2.5 }),
        changed: ["subject", "estimated_hours"],
        seq: 2,
        tx: "813",
      }),
      expect.objectContaining({ table: "public.tokens", op: "delete", pk: { id: "9007199254740991" }, after: null }),
    ]);
    expect(tables["public.issues"]).toEqual({
      pk: ["id"],
      columns: {
        id: "integer",
        subject: "character varying(255)",
        estimated_hours: "double precision",
        created_on: "timestamp without time zone",
      },
    });
  });

  it("says when before-values or keys are missing", () => {
    const { warnings } = decode([
      { action: "U", schema: "public", table: "t", columns: [{ name: "a", type: "text", value: "x" }] },
    ] as Parameters<typeof decode>[0]);
    expect(warnings).toEqual([
      "public.t: no primary key; rows are identified by all their columns",
      "public.t: no REPLICA IDENTITY FULL; before-values are missing",
    ]);
  });

  it("normalises values once per type", () => {
    expect(normalisePg("numeric(10,2)", 12000.5)).toBe("12000.50");
    expect(normalisePg("numeric(10,2)", 2)).toBe("2.00");
    expect(normalisePg("numeric", 2.5)).toBe("2.5");
    expect(normalisePg("bigint", 12)).toBe("12");
    // As wal2json prints them with numeric-data-types-as-string: exact, and small types as numbers.
    expect(normalisePg("bigint", "9007199254740993")).toBe("9007199254740993");
    expect(normalisePg("numeric(10,2)", "2.00")).toBe("2.00");
    expect(normalisePg("integer", "42")).toBe(42);
    expect(normalisePg("double precision", "1.5")).toBe(1.5);
    expect(normalisePg("double precision", "NaN")).toBe("NaN");
    expect(normalisePg("timestamp with time zone", "2026-11-23 20:09:55+01")).toBe("2026-11-23T19:09:55.000Z");
    expect(normalisePg("bytea", "\\x00ff")).toEqual({ $b64: "AP8=" });
    expect(normalisePg("jsonb", '{"a": [1, 2]}')).toEqual({ a: [1, 2] });
    expect(normalisePg("boolean", true)).toBe(true);
    expect(slotName("j_abc123")).toBe("terrarium_j_abc123");
  });
});
