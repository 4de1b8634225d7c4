import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import type { EvaluationResult, LoginResult, Session, Solution, Terrarium } from "@terrarium/sdk";
import { loadSimulators, TaskCatalog, type LoadedTask } from "@terrarium/server";

export type RunMode = "solution" | "wrong" | "nothing";

export interface TaskRun {
  task: LoadedTask;
  sessionId: string;
  /** What the solution answered, if anything. */
  answer?: string;
  result: EvaluationResult;
  /** The verdict on the fresh session, before the solution ran (with `evaluateFirst`). */
  before?: EvaluationResult;
  /** Milliseconds: session start, the solution, the evaluation. */
  timings: { create: number; solve: number; evaluate: number };
}

export interface RunOptions {
  simulatorsDir: string;
  tasksDir: string;
  /** Chromium for solutions that use the UI; default /usr/bin/chromium. */
  chromium?: string;
  /** Keep the session open afterwards (to look around); default close it. */
  keep?: boolean;
  /** Heartbeat timeout (s) of the session's environments, 0 never; default the server's. */
  heartbeatTimeout?: number;
  /** Also evaluate the fresh session before the solution runs (the "nothing done" verdict). */
  evaluateFirst?: boolean;
  say?: (line: string) => void;
}

/** The task files on this machine (solutions are run here, whatever server runs the session). */
export function localTasks(options: Pick<RunOptions, "simulatorsDir" | "tasksDir">): TaskCatalog {
  const simulators = loadSimulators(options.simulatorsDir);
  return new TaskCatalog(options.simulatorsDir, options.tasksDir, () => simulators);
}

/**
 * Runs a task as an agent would meet it: a fresh session from the task, then its reference solution
 * (`solution`), its wrong solution (`wrong`) or nothing, then `evaluate`. The session is closed after,
 * unless `keep`.
 */
export async function runTask(client: Terrarium, id: string, mode: RunMode, options: RunOptions): Promise<TaskRun> {
  const say = options.say ?? (() => undefined);
  const simulators = loadSimulators(options.simulatorsDir);
  const catalog = new TaskCatalog(options.simulatorsDir, options.tasksDir, () => simulators);
  const { tasks, invalid } = catalog.load();
  const loaded = tasks.get(id);
  if (!loaded) {
    const bad = invalid.find((i) => i.file.endsWith(`${id.split("/").pop()}.yaml`));
    throw new Error(
      bad
        ? `task ${id} is invalid (${bad.file}):\n  ${bad.problems.join("\n  ")}`
        : `unknown task "${id}" on this machine`,
    );
  }
  let solution: Solution | undefined;
  if (mode !== "nothing") {
    if (!loaded.solution) throw new Error(`task ${id} has no solution module`);
    const module = (await tsImport(pathToFileURL(loaded.solution).href, import.meta.url)) as Record<string, unknown>;
    const exported = module[mode === "solution" ? "solve" : "wrong"];
    if (typeof exported !== "function")
      throw new Error(`${loaded.solution} exports no ${mode === "solution" ? "solve" : "wrong"} function`);
    solution = exported as Solution;
  }

  let t = Date.now();
  const session = await client.sessions.create({
    task: id,
    ...(options.heartbeatTimeout !== undefined ? { heartbeatTimeout: options.heartbeatTimeout } : {}),
  });
  const timings = { create: Date.now() - t, solve: 0, evaluate: 0 };
  say(`session ${session.sessionId} from ${id} (${timings.create} ms)`);
  let login: LoginResult | undefined;
  let browser: { close(): Promise<void> } | undefined;
  try {
    const before = options.evaluateFirst ? await session.evaluate() : undefined;
    let answer: string | undefined;
    if (solution) {
      t = Date.now();
      const outcome = await solution({
        session,
        task: { id: loaded.task.id, prompt: loaded.task.prompt },
        urls: await baseUrls(session),
        accounts: Object.fromEntries(
          loaded.task.envs.map((e) => [e.alias, simulators.get(e.simulator ?? "")?.manifest.accounts ?? []]),
        ),
        pages: async () => {
          if (!login) {
            const { chromium } = await import("playwright-core");
            const launched = await chromium.launch({ executablePath: options.chromium ?? "/usr/bin/chromium" });
            browser = launched;
            login = await session.login(launched);
          }
          return login.pages;
        },
      });
      answer = outcome?.answer;
      timings.solve = Date.now() - t;
      say(`${mode} done (${timings.solve} ms)${answer !== undefined ? `, answer: ${JSON.stringify(answer)}` : ""}`);
    }
    t = Date.now();
    const result = await session.evaluate(answer === undefined ? {} : { value: answer });
    timings.evaluate = Date.now() - t;
    return {
      task: loaded,
      sessionId: session.sessionId,
      ...(answer !== undefined ? { answer } : {}),
      ...(before ? { before } : {}),
      result,
      timings,
    };
  } finally {
    await login?.context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (!options.keep) await session.close();
  }
}

/** Public URLs without the trailing slash (and without a token: the runner is on the server's machine). */
async function baseUrls(session: Session): Promise<Record<string, string>> {
  const urls = await session.getPublicUrl();
  return Object.fromEntries(Object.entries(urls).map(([alias, url]) => [alias, url.split("?")[0]!.replace(/\/$/, "")]));
}
