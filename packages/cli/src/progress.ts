import { Listr } from "listr2";
import type { SetupStep } from "@terrarium/server";

const interactive = Boolean(process.stdout.isTTY);

/**
 * Runs set-up steps with a live task list: each step is checked first and skipped when its result is
 * already there; long steps show their latest line and a percentage. Off a terminal (CI logs) it prints
 * one line every few seconds instead of every line. An optional step that fails is a warning at the end.
 */
export async function runSteps(steps: SetupStep[], signal?: AbortSignal): Promise<void> {
  const warnings: string[] = [];
  const list = new Listr(
    steps.map((step) => ({
      title: step.title,
      task: async (_ctx: unknown, task: { title: string; output: string; skip: (m?: string) => void }) => {
        const started = Date.now();
        try {
          const reason = await step.check();
          if (!reason) return task.skip("already there");
          task.title = `${step.title} (${reason})`;
          let lastShown = 0;
          await step.run((line, fraction) => {
            const now = Date.now();
            if (!interactive && now - lastShown < 5000) return;
            lastShown = now;
            const percent = fraction === undefined ? "" : `${Math.round(fraction * 100)}% `;
            task.output = `${percent}${line.slice(0, 160)}`;
          }, signal);
        } catch (error) {
          if (!step.optional || signal?.aborted) throw error;
          warnings.push(`${step.title} failed, and the set-up went on without it: ${(error as Error).message}`);
          task.title = `${step.title}: failed (optional, see the warning below)`;
          return;
        }
        task.title = `${step.title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      },
    })),
    {
      concurrent: false,
      exitOnError: true,
      rendererOptions: { collapseSkips: false, showSkipMessage: true },
      fallbackRendererOptions: { timer: undefined },
    },
  );
  await list.run();
  for (const warning of warnings) console.warn(`warning: ${warning}`);
}
