import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Median of a list of durations (ms). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const value = await work();
  return [performance.now() - started, value];
}

export interface Figure {
  operation: string;
  median_ms: number;
  samples_ms: number[];
  baseline?: { operation: string; median_ms: number; samples_ms: number[] };
  /** median / baseline median: below 1 is faster than the baseline. */
  ratio?: number;
}

export function figure(
  operation: string,
  samples: number[],
  baseline?: { operation: string; samples: number[] },
): Figure {
  const round = (n: number) => Math.round(n * 10) / 10;
  const out: Figure = { operation, median_ms: round(median(samples)), samples_ms: samples.map(round) };
  if (baseline) {
    out.baseline = {
      operation: baseline.operation,
      median_ms: round(median(baseline.samples)),
      samples_ms: baseline.samples.map(round),
    };
    out.ratio = Math.round((median(samples) / median(baseline.samples)) * 100) / 100;
  }
  return out;
}

export function printFigures(figures: Figure[]): void {
  const rows = figures.map((f) => [
    f.operation,
    `${f.median_ms} ms`,
    f.baseline ? `${f.baseline.operation}: ${f.baseline.median_ms} ms` : "",
    f.ratio === undefined ? "" : `x${f.ratio}`,
  ]);
  const header = ["operation", "median", "baseline (same run)", "ratio"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
}

/** A figure's median against the goal set for it. */
export interface Target {
  operation: string;
  target_ms: number;
  median_ms: number;
  met: boolean;
}

export function target(f: Figure, targetMs: number): Target {
  return { operation: f.operation, target_ms: targetMs, median_ms: f.median_ms, met: f.median_ms <= targetMs };
}

/**
 * Writes `bench/results/<file>.json` and prints the figures as a table; `more` (targets, counts) is
 * written beside the figures.
 */
export function saveFigures(
  file: string,
  benchmark: string,
  rounds: number,
  figures: Figure[],
  more: Record<string, unknown> = {},
): void {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "results", `${file}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const record = { benchmark, rounds, measured_at: new Date().toISOString(), figures, ...more };
  writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
  printFigures(figures);
  const targets = (more.targets ?? []) as Target[];
  if (targets.length > 0) console.log("");
  for (const t of targets)
    console.log(`target ${t.operation}: <= ${t.target_ms} ms, median ${t.median_ms} ms: ${t.met ? "met" : "MISSED"}`);
  console.log(`\nwritten to ${out}`);
}
