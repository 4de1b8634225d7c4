// The Python SDK beside the TypeScript SDK: create, execute, reset and get_state of a fossil session, in
// the same run against the same server, each SDK beside a bare HTTP client of its own language making
// the same request (fetch for TypeScript; httpx, the Python SDK's own HTTP library, for Python), so the
// difference is what the SDK itself adds per call: building the request, its deadline and retry
// wrapper, reading the answer into typed objects, and for the sync `Terrarium` the hop to its event
// loop thread. The Python calls run in bench/python/sdk_bench.py (with .venv-python's interpreter),
// which times each call itself; rounds alternate between the clients and rotate their order, so drift
// on this shared machine hits all alike, and each SDK call is paired with its bare call made next to it.
//
// A real server's times vary by tens of ms from one call to the next (containers, SQLite diffs), far
// more than a client adds, so the same calls are then made against a replay server: this process
// answering each route with the real server's answer recorded in this run, from memory. There the
// server's share is a fraction of a ms and what remains is the clients'.
//
// Writes bench/results/sdk-python.json and prints a table. Figures, not assertions.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Env, Session, Terrarium, type SerializedSession } from "@terrarium/sdk";
import { benchServer } from "./server.js";
import { figure, saveFigures, target, timed, type Figure, type Target } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const CREATE_ROUNDS = Number(process.env.BENCH_CREATE_ROUNDS ?? 8);
const EXECUTES_PER_ROUND = 3;
const REPLAY_ROUNDS = Number(process.env.BENCH_REPLAY_ROUNDS ?? 200);
/** The Python SDK's goal: what it may add to a call. */
const OVERHEAD_TARGET_MS = 2;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const python = process.env.TERRARIUM_BENCH_PYTHON ?? join(root, ".venv-python", "bin", "python");

const OPS = ["create", "execute", "reset", "get_state"] as const;
type Op = (typeof OPS)[number];
const CLIENTS = ["ts-sdk", "ts-raw", "sdk-async", "raw-async", "sdk-sync", "raw-sync"] as const;
type Client = (typeof CLIENTS)[number];
/** Each SDK with its bare client: the pairs whose differences are the SDKs' overheads. */
const PAIRS = [
  { sdk: "ts-sdk", raw: "ts-raw", name: "TS SDK", bare: "bare fetch" },
  { sdk: "sdk-async", raw: "raw-async", name: "Python AsyncTerrarium", bare: "bare httpx.AsyncClient" },
  { sdk: "sdk-sync", raw: "raw-sync", name: "Python Terrarium (sync)", bare: "bare httpx.Client" },
] as const;
type TargetName = "real" | "replay";

/** What the SDKs send, as they send it. */
const MAKE = { type: "envs", envs: [{ type: "simulator", simulator: "fossil", alias: "forge" }], timeout: 120 };
const EXECUTE = { command: "true", timeout: 30 };
const HEADERS = { accept: "application/json" };
const JSON_HEADERS = { ...HEADERS, "content-type": "application/json" };

/** A bare client's call: the request, the status checked, the JSON decoded. `record` keeps the answer's text. */
async function bare(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; query?: Record<string, string>; record?: (text: string) => void } = {},
): Promise<unknown> {
  const url = new URL(path, `${base}/`);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method,
    headers: options.body === undefined ? HEADERS : JSON_HEADERS,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url.pathname} answered ${response.status}: ${text.slice(0, 200)}`);
  options.record?.(text);
  return JSON.parse(text);
}

/** The route of a request as the replay server keys its answers: "make", "GET details", "POST execute"... */
function routeOf(method: string, path: string): string | undefined {
  if (method === "POST" && path === "/api/v2/sessions/make") return "make";
  const match = /^\/api\/v2\/sessions\/[^/]+(?:\/([a-z_]+))?$/.exec(path);
  return match ? `${method} ${match[1] ?? "details"}` : undefined;
}

/** Answers every route it has an answer for with the real server's answer, recorded in this run. */
async function replayServer(answers: Map<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const route = routeOf(request.method ?? "", new URL(request.url ?? "/", "http://replay").pathname);
      const body =
        (route && answers.get(route)) ??
        JSON.stringify({
          error: { code: "not_found", message: `no recorded answer for ${request.method} ${request.url}` },
        });
      response.writeHead(route && answers.has(route) ? 200 : 404, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** bench/python/sdk_bench.py, asked one call at a time. */
async function pythonDriver(setup: unknown): Promise<{
  /** What the driver runs on: Python's, httpx's and the SDK's versions. */
  versions: Record<string, unknown>;
  ask(message: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}> {
  if (!existsSync(python))
    throw new Error(
      `no Python at ${python}: run \`bash scripts/python-sdk.sh\` once (it makes .venv-python), or set TERRARIUM_BENCH_PYTHON`,
    );
  const child = spawn(python, [join(root, "bench", "python", "sdk_bench.py")], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ask = async (message: unknown): Promise<Record<string, unknown>> => {
    child.stdin.write(`${JSON.stringify(message)}\n`);
    const line = await lines.next();
    if (line.done) throw new Error("the Python driver ended early; see its output above");
    const answer = JSON.parse(line.value) as Record<string, unknown>;
    if (typeof answer.error === "string") throw new Error(`Python: ${answer.error}`);
    return answer;
  };
  child.stdin.write(`${JSON.stringify(setup)}\n`);
  const ready = await lines.next();
  if (ready.done) throw new Error("the Python driver did not start; see its output above");
  const { ready: _, ...versions } = JSON.parse(ready.value) as Record<string, unknown>;
  return {
    versions,
    ask,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

type Call = () => Promise<unknown>;

/** The TypeScript side's calls against one server; a create's answer is the untimed close that follows it. */
function tsCalls(url: string, client: Terrarium, session: Session, record?: Map<string, string>): Record<string, Call> {
  const keep = (route: string) => (record ? (text: string) => record.set(route, text) : undefined);
  const base = `api/v2/sessions/${encodeURIComponent(session.sessionId)}`;
  return {
    "ts-sdk create": async () => {
      const made = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
      return () => made.close();
    },
    "ts-raw create": async () => {
      const made = (await bare(url, "POST", "api/v2/sessions/make", { body: MAKE, record: keep("make") })) as {
        session_id: string;
      };
      return () => bare(url, "POST", `api/v2/sessions/${made.session_id}/close`, { record: keep("POST close") });
    },
    "ts-sdk execute": () => session.execute("true"),
    "ts-raw execute": () => bare(url, "POST", `${base}/execute`, { body: EXECUTE, record: keep("POST execute") }),
    "ts-sdk reset": () => session.reset(),
    "ts-raw reset": () => bare(url, "POST", `${base}/reset`, { record: keep("POST reset") }),
    "ts-sdk get_state": () => session.getState(),
    "ts-raw get_state": () =>
      bare(url, "GET", `${base}/state`, {
        query: { merge_mutations: "true", noise: "true" },
        record: keep("GET state"),
      }),
  };
}

type Samples = Record<TargetName, Record<Op, Record<Client, number[]>>>;
type Paired = Record<TargetName, Record<Op, Record<string, number[]>>>;

function empty<T>(make: () => T): Record<TargetName, Record<Op, T>> {
  const per = () => Object.fromEntries(OPS.map((op) => [op, make()])) as Record<Op, T>;
  return { real: per(), replay: per() };
}

async function main(): Promise<void> {
  const bench = await benchServer({ poolSize: 0 }); // every create and reset takes the same (cold) path
  const answers = new Map<string, string>();
  const replay = await replayServer(answers);
  const clients: Terrarium[] = [];
  let driver: Awaited<ReturnType<typeof pythonDriver>> | undefined;
  const samples: Samples = empty(
    () => Object.fromEntries(CLIENTS.map((c) => [c, [] as number[]])) as Record<Client, number[]>,
  );
  const paired: Paired = empty(() => Object.fromEntries(PAIRS.map((p) => [p.sdk, [] as number[]])));
  let versions: Record<string, unknown> = {};
  try {
    // The session every client of both languages executes in, resets and reads the state of.
    const url = bench.server.url;
    const made = (await bare(url, "POST", "api/v2/sessions/make", { body: MAKE })) as Pick<
      SerializedSession,
      "session_id" | "envs"
    >;
    const dumped: SerializedSession = {
      version: 1,
      session_id: made.session_id,
      task_public_id: null,
      base_url: url,
      envs: made.envs.map((e) => ({
        job_id: e.job_id,
        alias: e.alias,
        simulator: e.simulator,
        artifact_id: e.artifact_id,
      })),
      heartbeat: false,
    };
    await bare(url, "GET", `api/v2/sessions/${made.session_id}`, { record: (t) => answers.set("GET details", t) });
    await bare(url, "POST", `api/v2/sessions/${made.session_id}/heartbeat`, {
      record: (t) => answers.set("POST heartbeat", t),
    });
    const realClient = new Terrarium({ baseUrl: url });
    const replayClient = new Terrarium({ baseUrl: replay.url });
    clients.push(realClient, replayClient);
    // This side's client sends the work session's heartbeats for the whole run.
    const calls: Record<TargetName, Record<string, Call>> = {
      real: tsCalls(url, realClient, await Session.load(dumped, { client: realClient, heartbeat: true }), answers),
      replay: tsCalls(replay.url, replayClient, await Session.load(dumped, { client: replayClient, heartbeat: false })),
    };
    driver = await pythonDriver({ targets: { real: url, replay: replay.url }, session: dumped });
    const py = driver;
    versions = py.versions;

    const measure = async (where: TargetName, client: Client, op: Op): Promise<number> => {
      if (client.startsWith("ts-")) {
        const [ms, value] = await timed(calls[where][`${client} ${op}`]!);
        if (op === "create") await (value as Call)();
        return ms;
      }
      return (await py.ask({ target: where, client, op })).ms as number;
    };
    const round = async (where: TargetName, op: Op, index: number) => {
      // Rotate the pairs' order, and swap SDK and bare call within each pair, from one round to the next.
      const order = PAIRS.map((_, i) => PAIRS[(i + index) % PAIRS.length]!);
      for (const pair of order) {
        const first = index % 2 === 0 ? pair.sdk : pair.raw;
        const second = first === pair.sdk ? pair.raw : pair.sdk;
        const a = await measure(where, first, op);
        const b = await measure(where, second, op);
        samples[where][op][first].push(a);
        samples[where][op][second].push(b);
        const [sdk, raw] = first === pair.sdk ? [a, b] : [b, a];
        paired[where][op][pair.sdk]!.push(sdk - raw);
      }
    };

    for (const where of ["real", "replay"] as const) {
      // Warm up: connections, imports, JIT; not counted.
      for (const client of CLIENTS) for (let i = 0; i < 3; i++) await measure(where, client, "execute");
      const rounds = where === "real" ? ROUNDS : REPLAY_ROUNDS;
      for (let index = 0; index < rounds; index++) {
        for (let i = 0; i < EXECUTES_PER_ROUND; i++) await round(where, "execute", index * EXECUTES_PER_ROUND + i);
        await round(where, "get_state", index);
        await round(where, "reset", index);
        if (where === "replay" || index < CREATE_ROUNDS) await round(where, "create", index);
        if ((index + 1) % (where === "real" ? 5 : 50) === 0)
          process.stderr.write(`${where}: round ${index + 1}/${rounds}\n`);
      }
    }
  } finally {
    await driver?.stop();
    for (const client of clients) await client.close();
    await replay.close();
    await bench.stop();
  }

  const figures: Figure[] = [];
  const targets: Target[] = [];
  const label = { real: "fossil, real server", replay: "replayed answers" } as const;
  for (const where of ["real", "replay"] as const) {
    for (const op of OPS) {
      const s = samples[where][op];
      for (const pair of PAIRS)
        figures.push(
          figure(`${op} (${label[where]}): ${pair.name}`, s[pair.sdk], { operation: pair.bare, samples: s[pair.raw] }),
        );
      figures.push(
        figure(`${op} (${label[where]}): Python AsyncTerrarium beside the TS SDK`, s["sdk-async"], {
          operation: "TS SDK",
          samples: s["ts-sdk"],
        }),
        figure(`${op} (${label[where]}): Python Terrarium (sync) beside the TS SDK`, s["sdk-sync"], {
          operation: "TS SDK",
          samples: s["ts-sdk"],
        }),
      );
      for (const pair of PAIRS) {
        const added = figure(
          `${op} (${label[where]}): ${pair.name} minus ${pair.bare}, paired calls`,
          paired[where][op][pair.sdk]!,
        );
        figures.push(added);
        // Against the real server the paired difference is mostly the server's own variation; the
        // replayed answers leave the clients' share, which is what the goal is about.
        if (where === "replay" && pair.sdk !== "ts-sdk") targets.push(target(added, OVERHEAD_TARGET_MS));
      }
    }
  }
  saveFigures("sdk-python", "sdk-python-vs-ts", ROUNDS, figures, {
    rounds_by_op: {
      real: { create: CREATE_ROUNDS, execute: ROUNDS * EXECUTES_PER_ROUND, reset: ROUNDS, get_state: ROUNDS },
      replay: {
        create: REPLAY_ROUNDS,
        execute: REPLAY_ROUNDS * EXECUTES_PER_ROUND,
        reset: REPLAY_ROUNDS,
        get_state: REPLAY_ROUNDS,
      },
    },
    pool_size: 0,
    notes: [
      "Each SDK beside a bare client of its language making the same request (fetch; httpx, the Python SDK's HTTP library), in the same run: `X minus bare, paired calls` is the median of (SDK call - bare call made next to it).",
      "real server: fossil sessions of a server in this process (warm pool off), shared by every client of both languages; its times vary far more than a client adds.",
      "replayed answers: the real server's answers recorded in this run, served from memory by this process, so the server's share is a fraction of a ms and what remains is the clients'. The 2 ms goal is checked there.",
      "Python Terrarium (sync) runs AsyncTerrarium on an event loop thread of its own: its figure includes httpx's async stack and the hop to that thread.",
    ],
    node: process.version,
    ...versions,
    targets,
  });
}

await main();
