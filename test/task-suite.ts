import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatResult, localTasks, runTask } from "@terrarium/cli";
import { startTestServer, type TestServer } from "./helpers.js";

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

/**
 * For every task: a fresh session from the task is evaluated as it starts (nothing done: no success),
 * then the reference solution runs in it (success, score 1); a second fresh session gets the wrong
 * solution (no success, a score below 1, and a failing check that says what is wrong).
 */
export function describeTaskSuite(name: string, ids: string[]): void {
  describe(`${name} tasks: reference, wrong and no solution`, () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer();
    });
    afterAll(async () => {
      await t?.stop();
    });

    it("has tasks to run", () => {
      expect(ids.length).toBeGreaterThan(0);
    });

    for (const id of ids) {
      it(`${id}: the reference solution succeeds, doing nothing does not`, async () => {
        const run = await runTask(t.client, id, "solution", { ...dirs, evaluateFirst: true });
        const explain = formatResult(run).join("\n");
        expect(run.before, "the fresh session").toMatchObject({ status: "ok", success: false });
        expect(run.result, explain).toMatchObject({ status: "ok", success: true, score: 1 });
      });
      it(`${id}: the wrong solution fails, and a failing check says why`, async () => {
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
      });
    }
  });
}
