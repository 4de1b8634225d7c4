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
      "/",
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
    app.get(
      "/*",
      {
        schema: {
          tags: ["tasks"],
          summary: "One task: prompt, environments and criteria (ids look like redmine/close-duplicate)",
          params: z.object({ "*": z.string() }),
          response: { 200: Task, ...errors },
        },
      },
      async (request) => {
        const id = request.params["*"];
        const loaded = tasks.get(id);
        if (!loaded) throw notFound(`unknown task "${id}"`);
        return loaded.task;
      },
    );
  };
