import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatResult, localTasks, runTask } from "@terrarium/cli";
import { startTestServer, type TestServer } from "./helpers.js";
import { planTasks, recordFullPass } from "./task-plan.js";

const root = fileURLToPath(new URL("..", import.meta.url));
export const dirs = { simulatorsDir: `${root}simulators`, tasksDir: `${root}tasks` };

/** The shipped tasks whose environments `select` accepts (by the simulators they use). */
export function tasksUsing(select: (simulators: string[]) => boolean): string[] {
  const { tasks } = localTasks(dirs).load();
  return [...tasks.values()]
    .filter(({ task }) => select([...new Set(task.envs.map((e) => e.simulator ?? ""))]))
    .map(({ task }) => task.id)
    .sort();
}

/** What a suite's tasks depend on besides the evaluator: their folders and every simulator they start. */
function suitePaths(ids: string[]): string[] {
  const { tasks } = localTasks(dirs).load();
  const paths = new Set<string>();
  for (const id of ids) {
    const loaded = tasks.get(id);
    const slash = id.indexOf("/");
    paths.add(slash > 0 ? `simulators/${id.slice(0, slash)}` : "tasks");
    for (const env of loaded?.task.envs ?? []) if (env.simulator) paths.add(`simulators/${env.simulator}`);
  }
  return [...paths].sort();
}

/**
 * For every task: a fresh session from the task is evaluated as it starts (nothing done: no success),
 * then the reference solution runs in it (success, score 1); a second fresh session gets the wrong
 * solution (no success, a score below 1, and a failing check that says what is wrong).
 */
export function describeTaskSuite(name: string, all: string[]): void {
  const plan = planTasks(name, all, suitePaths(all));
  const ids = plan.ids;
  // Nothing is skipped silently: the run says which tasks it takes and why.
  console.log(
    `tasks ${name}: ${plan.mode === "full" ? `all ${ids.length}` : `${ids.length} of ${all.length}`} (${plan.why}): ${ids.join(", ")}`,
  );
  describe(`${name} tasks: reference, wrong and no solution (${plan.mode}: ${ids.length} of ${all.length})`, () => {
    let t: TestServer;
    const seconds: Record<string, number> = {};
    const passed = new Set<string>();
    const timed = async (id: string, test: string, body: () => Promise<void>) => {
      const started = performance.now();
      await body();
      seconds[id] = (seconds[id] ?? 0) + (performance.now() - started) / 1000;
      passed.add(`${id} ${test}`);
    };
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(async () => {
      await t?.stop();
      // A full run where every test passed is the suite's new record: later runs sample it until its
      // files or the evaluator change.
      if (plan.mode === "full" && passed.size === 2 * ids.length) recordFullPass(name, plan.fingerprint, seconds);
    });

    it("has tasks to run", () => {
      expect(ids.length).toBeGreaterThan(0);
    });

    for (const id of ids) {
      it(`${id}: the reference solution succeeds, doing nothing does not`, () =>
        timed(id, "solution", async () => {
          const run = await runTask(t.client, id, "solution", { ...dirs, evaluateFirst: true });
          const explain = formatResult(run).join("\n");
          expect(run.before, "the fresh session").toMatchObject({ status: "ok", success: false });
          expect(run.result, explain).toMatchObject({ status: "ok", success: true, score: 1 });
        }));
      it(`${id}: the wrong solution fails, and a failing check says why`, () =>
        timed(id, "wrong", async () => {
          const run = await runTask(t.client, id, "wrong", dirs);
          const explain = formatResult(run).join("\n");
          expect(run.result, explain).toMatchObject({ status: "ok", success: false });
          expect(run.result.score, explain).toBeLessThan(1);
          const failing = run.result.checks.filter((c) => !c.pass);
          expect(failing.length, explain).toBeGreaterThan(0);
          expect(
            failing.every((c) => c.reason),
            explain,
          ).toBe(true);
        }));
    }
  });
}
