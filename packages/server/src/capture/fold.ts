import type { RowChange } from "@terrarium/wire";

type Change = Omit<RowChange, "id">;

const keyOf = (c: Change) =>
  `${c.table}\u0000${JSON.stringify(Object.entries(c.pk).sort(([a], [b]) => (a < b ? -1 : 1)))}`;

/**
 * Folds an ordered log of row changes into net changes per row (table + primary key):
 * insert+update -> insert; insert+delete -> nothing; update+update -> one update (first before, last
 * after); update+delete -> delete (first before); delete+insert -> update. An update whose net
 * before and after are equal vanishes. Order of first appearance is kept.
 */
export function foldChanges(log: Change[]): Change[] {
  const net = new Map<string, Change | null>();
  const order: string[] = [];
  for (const change of log) {
    const key = keyOf(change);
    if (!net.has(key)) order.push(key);
    const previous = net.get(key);
    // A row folded away (inserted then deleted) starts afresh with its next change.
    net.set(key, previous ? merge(previous, change) : change);
  }
  const out: Change[] = [];
  for (const key of order) {
    const change = net.get(key);
    if (change) out.push(change);
  }
  return out;
}

function merge(first: Change, next: Change): Change | null {
  if (first.op === "insert") {
    if (next.op === "delete") return null;
    return { ...first, after: next.after, ...(next.seq !== undefined ? { seq: next.seq } : {}) };
  }
  if (first.op === "update") {
    if (next.op === "delete") return { ...next, before: first.before };
    return withChanged({ ...next, op: "update", before: first.before });
  }
  // first is a delete: only an insert can follow
  if (next.op === "insert") return withChanged({ ...next, op: "update", before: first.before });
  return next;
}

function withChanged(change: Change): Change | null {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const columns = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changed = columns.filter((c) => JSON.stringify(before[c]) !== JSON.stringify(after[c]));
  if (changed.length === 0) return null;
  return { ...change, changed };
}
