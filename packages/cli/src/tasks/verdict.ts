import type { EvaluationResult } from "@terrarium/sdk";
import { EXIT } from "../exit.js";

/** An evaluation as lines: the verdict, then one line per check (nested checks indented). */
export function formatResult({ result }: { result: EvaluationResult }): string[] {
  const lines = [
    `${result.success ? "SUCCESS" : "FAILURE"}  score ${result.score}  status ${result.status}  (${result.checks.length} checks, ${result.duration_ms} ms)`,
  ];
  const walk = (checks: EvaluationResult["checks"], indent: string) => {
    for (const c of checks) {
      const mark = c.status === "error" ? "!" : c.status === "skipped" ? "-" : c.pass ? "✔" : "✘";
      const flags = [c.required ? "required" : "", c.weight !== 1 ? `weight ${c.weight}` : ""]
        .filter(Boolean)
        .join(", ");
      lines.push(
        `${indent}${mark} ${c.id} (${c.kind}${flags ? `, ${flags}` : ""}) ${c.score}${c.reason ? `: ${c.reason}` : ""}`,
      );
      if (c.checks) walk(c.checks, `${indent}    `);
    }
  };
  walk(result.checks, "  ");
  if (result.unexpected.length) lines.push(`  unexpected changes: ${result.unexpected.join(", ")}`);
  return lines;
}

/**
 * The exit code of a verdict: passed, failed, or could not be told (a check could not run: the
 * evaluator's or the environment's fault, not the agent's), so scripts can tell the three apart.
 */
export function verdictExitCode(result: EvaluationResult): number {
  if (result.status === "error") return EXIT.couldNotRun;
  return result.success ? EXIT.ok : EXIT.failed;
}
