import { Listr } from "listr2";
import type { SetupStep } from "@terrarium/server";

/** Seconds between progress lines of a long step off a terminal. */
const LOG_EVERY_MS = 5000;

/**
 * Runs set-up steps, each checked first and skipped when its result is already there. On a terminal
 * it is a live task list, long steps showing their latest line and a percentage; off one (CI logs,
 * pipes) it prints plain lines: one per step that was already there, and for a step that runs a line
 * when it starts, its progress every few seconds and its result. An optional step that fails is a
 * warning at the end.
 */
export async function runSteps(steps: SetupStep[], signal?: AbortSignal): Promise<void> {
  const warnings = process.stdout.isTTY ? await withTaskList(steps, signal) : await withLines(steps, signal);
  for (const warning of warnings) console.warn(`warning: ${warning}`);
}

/** How one step went: skipped (already there), done, or failed while optional (a warning). */
type Outcome = { skipped: string } | { done: number } | { warning: string };

async function runStep(
  step: SetupStep,
  onStart: (reason: string) => void,
  onProgress: (text: string) => void,
  signal?: AbortSignal,
): Promise<Outcome> {
  const started = Date.now();
  try {
    const reason = await step.check();
    if (!reason) return { skipped: "already there" };
    onStart(reason);
    await step.run((line, fraction) => {
      const percent = fraction === undefined ? "" : `${Math.round(fraction * 100)}% `;
      onProgress(`${percent}${line.slice(0, 160)}`);
    }, signal);
  } catch (error) {
    if (!step.optional || signal?.aborted) throw error;
    return { warning: `${step.title} failed, and the set-up went on without it: ${(error as Error).message}` };
  }
  return { done: Date.now() - started };
}

const elapsed = (ms: number) => `done in ${(ms / 1000).toFixed(1)} s`;

async function withLines(steps: SetupStep[], signal?: AbortSignal): Promise<string[]> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const warnings: string[] = [];
  for (const step of steps) {
    let lastShown = Date.now();
    const outcome = await runStep(
      step,
      (reason) => say(`… ${step.title} (${reason})`),
      (text) => {
        if (Date.now() - lastShown < LOG_EVERY_MS) return;
        lastShown = Date.now();
        say(`  ${text}`);
      },
      signal,
    );
    if ("skipped" in outcome) say(`✔ ${step.title}: ${outcome.skipped}`);
    else if ("done" in outcome) say(`✔ ${step.title}: ${elapsed(outcome.done)}`);
    else {
      warnings.push(outcome.warning);
      say(`✘ ${step.title}: failed (optional, see the warning below)`);
    }
  }
  return warnings;
}

async function withTaskList(steps: SetupStep[], signal?: AbortSignal): Promise<string[]> {
  const warnings: string[] = [];
  const list = new Listr(
    steps.map((step) => ({
      title: step.title,
      task: async (_ctx: unknown, task: { title: string; output: string; skip: (m?: string) => void }) => {
        const outcome = await runStep(
          step,
          (reason) => (task.title = `${step.title} (${reason})`),
          (text) => (task.output = text),
          signal,
        );
        if ("skipped" in outcome) return task.skip(outcome.skipped);
        if ("done" in outcome) task.title = `${step.title}: ${elapsed(outcome.done)}`;
        else {
          warnings.push(outcome.warning);
          task.title = `${step.title}: failed (optional, see the warning below)`;
        }
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      rendererOptions: { collapseSkips: false, showSkipMessage: true },
    },
  );
  await list.run();
  return warnings;
}
