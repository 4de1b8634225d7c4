import picomatch from "picomatch";
import type { RowChange } from "@terrarium/wire";

type Change = Omit<RowChange, "id">;

export interface NoiseRules {
  tables: string[];
  columns: string[];
  rows: { table: string; where: Record<string, string> }[];
}

/** "public.sessions" is named by "public.sessions" or "sessions" in rules. */
const names = (table: string) => [table, table.slice(table.lastIndexOf(".") + 1)];

/** Whether a rule's or a check's table name names `table`: "issues" names "public.issues". */
export const namesTable = (name: string, table: string) => names(table).includes(name);

/**
 * Drops the changes a simulator's noise rules describe: every change of an ignored table, rows whose
 * columns match a row rule's globs, and updates that touch only ignored columns. Counts what it drops
 * and names the rules that did.
 */
export function applyNoise<C extends Change>(
  changes: C[],
  rules: NoiseRules,
): { changes: C[]; ignored: { rows: number; rules: string[] } } {
  const used = new Set<string>();
  let dropped = 0;
  const rowRules = rules.rows.map((rule) => ({
    rule,
    label: `row:${rule.table}[${Object.entries(rule.where)
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}]`,
    tests: Object.entries(rule.where).map(
      ([column, glob]) => [column, picomatch(glob, { bash: true, dot: true })] as const,
    ),
  }));
  const columnIgnored = (table: string, column: string) =>
    rules.columns.some((r) => r === column || r === `*.${column}` || names(table).some((t) => r === `${t}.${column}`));

  const kept = changes.filter((change) => {
    const table = names(change.table).find((t) => rules.tables.includes(t));
    if (table) {
      used.add(`table:${table}`);
      dropped++;
      return false;
    }
    const row = change.after ?? change.before ?? {};
    const match = rowRules.find(
      ({ rule, tests }) =>
        names(change.table).includes(rule.table) &&
        tests.every(([column, test]) => row[column] !== undefined && test(String(row[column]))),
    );
    if (match) {
      used.add(match.label);
      dropped++;
      return false;
    }
    if (change.op === "update" && change.changed) {
      const relevant = change.changed.filter((c) => !columnIgnored(change.table, c));
      if (relevant.length === 0) {
        for (const c of change.changed) used.add(`column:${change.table}.${c}`);
        dropped++;
        return false;
      }
      change.changed = relevant;
    }
    return true;
  });
  return { changes: kept, ignored: { rows: dropped, rules: [...used].sort() } };
}
