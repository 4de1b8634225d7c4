import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { Task, TaskList } from "@terrarium/wire";
import { notFound } from "../../errors.js";
import type { TaskCatalog } from "../../services/tasks.js";
import { errors } from "./operations.js";

/** `/api/v2/tasks`: the task catalog, with the task files that do not validate and why. */
export const taskRoutes =
  (tasks: TaskCatalog): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "",
      {
        schema: {
          tags: ["tasks"],
          summary: "Tasks, and invalid task files with their problems",
          response: { 200: TaskList, ...errors },
        },
      },
      async () => {
        const { tasks: all, invalid } = tasks.load();
        return {
          tasks: [...all.values()].map(({ task }) => ({
            id: task.id,
            title: task.title,
            difficulty: task.difficulty,
            tags: task.tags,
            simulators: [...new Set(task.envs.map((e) => e.simulator ?? "artifact"))],
            checks: task.criteria.checks.length,
          })),
          invalid,
        };
      },
    );
    // Ids are `<slug>` (tasks spanning simulators) or `<simulator>/<slug>`: one route for each form.
    const one = async (id: string) => {
      const loaded = tasks.get(id);
      if (!loaded) throw notFound(`unknown task "${id}"; GET /api/v2/tasks lists them`);
      return loaded.task;
    };
    app.get(
      "/:task_id",
      {
        schema: {
          tags: ["tasks"],
          summary: "One task spanning simulators (id without a slash): prompt, environments and criteria",
          params: z.object({ task_id: z.string().describe("task id, e.g. tinykv-status-page") }),
          response: { 200: Task, ...errors },
        },
      },
      async (request) => one(request.params.task_id),
    );
    app.get(
      "/:simulator/:slug",
      {
        schema: {
          tags: ["tasks"],
          summary: "One task of a simulator (id `<simulator>/<slug>`): prompt, environments and criteria",
          params: z.object({
            simulator: z.string().describe("the simulator the task belongs to, e.g. redmine"),
            slug: z.string().describe("the task's name within it, e.g. close-duplicate"),
          }),
          response: { 200: Task, ...errors },
        },
      },
      async (request) => one(`${request.params.simulator}/${request.params.slug}`),
    );
  };
