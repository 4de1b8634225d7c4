import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the Terrarium HTTP API over a real `node:http` server, to unit-test the client's own
 * behaviour: what it sends, how it maps answers and errors, when it retries, how heartbeats run.
 * It keeps sessions in memory and answers in the wire shapes; `override` injects failures. The real
 * server is exercised by the integration tests in /test.
 *
 * Simulator names steer it: "broken" cannot be made, "sleepy" never becomes ready; and no environment
 * becomes ready within a `timeout` under 2 s (as a real app needs a moment to boot).
 */
export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  apiKey: string | undefined;
  body: unknown;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
  /** Hang up without answering. */
  destroy?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
}

export type Override = (seen: Seen) => Reply | undefined;

interface FakeJob {
  job_id: string;
  alias: string;
  simulator: string | null;
  artifact_id: string | null;
  status: "running" | "failed" | "closed";
  error: string | null;
  slow: boolean;
}
interface FakeSession {
  session_id: string;
  status: "active" | "closed";
  jobs: FakeJob[];
}

export interface FakeApi {
  url: string;
  seen: Seen[];
  sessions: Map<string, FakeSession>;
  /** Requests to paths ending with `suffix` (e.g. "/heartbeat"). */
  count(suffix: string): number;
  override: Override | undefined;
  close(): Promise<void>;
}

export const fail = (status: number, code: string, message: string): Reply => ({
  status,
  body: { error: { code, message, request_id: "req_test" }, detail: message },
});

let ids = 0;
const id = (prefix: string) => `${prefix}_${String(++ids).padStart(12, "0")}`;

export async function startFakeApi(override?: Override): Promise<FakeApi> {
  const sessions = new Map<string, FakeSession>();
  const seen: Seen[] = [];
  const api: FakeApi = {
    url: "",
    seen,
    sessions,
    override,
    count: (suffix) => seen.filter((s) => s.path.endsWith(suffix)).length,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Requests a test left hanging (delayed answers) must not hold the next test up.
        server.closeAllConnections();
      }),
  };

  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const s: Seen = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        apiKey: req.headers["x-api-key"] as string | undefined,
        body: text ? JSON.parse(text) : undefined,
      };
      seen.push(s);
      const reply = api.override?.(s) ?? route(s, sessions);
      send(req, res, reply);
    });
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const go = () => {
    if (reply.destroy) return void req.socket.destroy();
    res.writeHead(reply.status ?? 200, {
      "content-type": reply.text !== undefined ? "text/plain" : "application/json",
      ...reply.headers,
    });
    res.end(reply.text ?? JSON.stringify(reply.body ?? {}));
  };
  if (reply.delayMs) setTimeout(go, reply.delayMs);
  else go();
}

function route(s: Seen, sessions: Map<string, FakeSession>): Reply {
  const p = s.path.split("/").slice(1); // ["api","v2","sessions",id,op]
  if (s.method === "GET" && s.path === "/healthz") {
    return {
      body: {
        status: "ok",
        version: "0.0.0-fake",
        runtime: { name: "fake", version: "0" },
        capabilities: { memory_snapshots: false, disk_snapshots: false },
        auth: "none",
      },
    };
  }
  if (s.method === "GET" && s.path === "/api/v2/simulators") {
    return {
      body: {
        simulators: [
          {
            name: "fossil",
            version: "2.24",
            description: "Fossil SCM",
            role: "code forge",
            stands_in_for: ["Gitea"],
            app_port: 8080,
            ports: [8080],
            resources: { cpus: 1, memory_bytes: 536870912 },
            image: "localhost/terrarium/fossil:2.24",
            built: true,
            recipe_hash: "abc",
            tags: ["2.24", "2.24-tickets", "latest"],
            published: [{ tag: "2.24-tickets", artifact_id: "a_000000000001" }],
            datasets: [
              { name: "base", description: "the seeded project", built: true, accounts: [] },
              { name: "blank", description: "an empty repository", built: false, accounts: [] },
            ],
            published_from: null,
            accounts: [{ username: "admin", password: "admin", role: "admin" }],
          },
        ],
      },
    };
  }
  if (s.method === "POST" && s.path === "/api/v2/sessions/make") return make(s.body, sessions);
  if (s.method === "GET" && s.path === "/api/v2/sessions") {
    const status = s.query.get("status") ?? "active";
    return {
      body: {
        sessions: [...sessions.values()].filter((x) => status === "all" || x.status === status).map(details),
      },
    };
  }
  if (p[2] === "sessions" && p[3]) {
    const session = sessions.get(p[3]);
    if (!session) return fail(404, "not_found", `unknown session "${p[3]}"`);
    if (p.length === 4 && s.method === "GET") return { body: details(session) };
    if (session.status === "closed") {
      if (p[4] === "close") return closedAlready(session, session.jobs);
      return fail(409, "conflict", `session "${session.session_id}" is closed`);
    }
    return operation(p[4] ?? "", s, session, session.jobs);
  }
  if (p[2] === "jobs" && p[3]) {
    for (const session of sessions.values()) {
      const job = session.jobs.find((j) => j.job_id === p[3]);
      if (!job) continue;
      if (p.length === 4 && s.method === "GET") return { body: jobDetails(session, job) };
      if (job.status === "closed") {
        if (p[4] === "close") return closedAlready(session, [job], job);
        return fail(409, "conflict", `job "${job.job_id}" is closed`);
      }
      return operation(p[4] ?? "", s, session, [job], job);
    }
    return fail(404, "not_found", `unknown job "${p[3]}"`);
  }
  return fail(404, "not_found", `no route ${s.method} ${s.path}`);
}

function make(body: unknown, sessions: Map<string, FakeSession>): Reply {
  const request = body as {
    type: string;
    task_id?: string;
    timeout?: number;
    envs?: { type: string; simulator?: string; artifact_id?: string; alias?: string }[];
  };
  if (request.type === "task") return fail(404, "not_found", `unknown task "${request.task_id}"`);
  if (!request.envs?.length) return fail(400, "bad_request", "body.envs: envs needs at least one environment");
  const session: FakeSession = { session_id: id("s"), status: "active", jobs: [] };
  for (const spec of request.envs) {
    const broken = spec.simulator === "broken";
    session.jobs.push({
      job_id: id("j"),
      alias: spec.alias ?? `env-${String(ids).padStart(8, "0")}`,
      simulator: spec.simulator ?? null,
      artifact_id: spec.artifact_id ?? null,
      status: broken ? "failed" : "running",
      error: broken ? 'image of simulator "broken" is not built; run `terrarium setup broken`' : null,
      slow: spec.simulator === "sleepy" || (request.timeout !== undefined && request.timeout < 2),
    });
  }
  sessions.set(session.session_id, session);
  return {
    body: {
      session_id: session.session_id,
      task_public_id: null,
      envs: session.jobs.map((j) => ({
        job_id: j.job_id,
        alias: j.alias,
        simulator: j.simulator,
        artifact_id: j.artifact_id,
        success: j.status !== "failed",
        ...(j.error ? { error: j.error } : {}),
      })),
    },
  };
}

/**
 * A session's answer (per job id, its id at the top, `top` beside), or with `job` the bare result of
 * that one job, as the server answers `/api/v2/jobs/{job_id}/...`.
 */
function answer(session: FakeSession, jobs: FakeJob[], f: (job: FakeJob) => unknown, top = {}, job?: FakeJob): Reply {
  if (job) return { body: f(job) };
  return {
    body: { session_id: session.session_id, ...top, results: Object.fromEntries(jobs.map((j) => [j.job_id, f(j)])) },
  };
}

/** Close is safe to repeat: a closed session or job answers success again. */
const closedAlready = (session: FakeSession, jobs: FakeJob[], job?: FakeJob): Reply =>
  answer(
    session,
    jobs,
    () => ({ success: true, message: "already closed (closed at 2025-01-01T00:01:00.000Z)" }),
    {
      success: true,
      message: "already closed",
    },
    job,
  );

function operation(op: string, s: Seen, session: FakeSession, jobs: FakeJob[], job?: FakeJob): Reply {
  const each = (f: (job: FakeJob) => unknown, top = {}) => answer(session, jobs, f, top, job);
  if (s.method === "GET" && op === "wait_for_ready") {
    const readiness = (j: FakeJob) =>
      j.slow
        ? { job_id: j.job_id, ready: false, error: `no answer on port 8080 within ${s.query.get("timeout")} s` }
        : j.status === "running"
          ? { job_id: j.job_id, ready: true }
          : { job_id: j.job_id, ready: false, error: j.error ?? `environment is ${j.status}` };
    return each(readiness, { ready: jobs.every((j) => readiness(j).ready) });
  }
  if (s.method !== "POST") return fail(404, "not_found", `no route ${s.method} ${s.path}`);
  switch (op) {
    case "execute": {
      const { command, encoding } = s.body as { command: string; encoding?: "utf8" | "base64" };
      const output = (text: string) => (encoding === "base64" ? Buffer.from(text).toString("base64") : text);
      return each((j) =>
        command === "fail-in-one" && j === jobs[0]
          ? {
              success: false,
              stdout: "",
              stderr: "",
              exit_code: null,
              timed_out: false,
              truncated: false,
              error: "container is gone",
            }
          : {
              success: true,
              stdout: output(`${j.alias}: ${command}\n`),
              stderr: "",
              exit_code: 0,
              timed_out: false,
              truncated: false,
            },
      );
    }
    case "reset":
      return each(() => ({ success: true, message: "reset in 5 ms" }), { success: true });
    case "heartbeat":
      return each(() => ({ success: true }), { success: true, timestamp: "2025-01-01T00:00:30.000Z" });
    case "close": {
      const reply = each(() => ({ success: true }), { success: true, message: `closed ${jobs.length} environment(s)` });
      for (const j of jobs) j.status = "closed";
      if (session.jobs.every((j) => j.status === "closed")) session.status = "closed";
      return reply;
    }
  }
  return fail(404, "not_found", `no route ${s.method} ${s.path}`);
}

const details = (session: FakeSession) => ({
  session_id: session.session_id,
  task_public_id: null,
  status: session.status,
  created_at: "2025-01-01T00:00:00.000Z",
  closed_at: session.status === "closed" ? "2025-01-01T00:01:00.000Z" : null,
  envs: session.jobs.map((j) => jobDetails(session, j)),
});

const jobDetails = (session: FakeSession, j: FakeJob) => ({
  job_id: j.job_id,
  session_id: session.session_id,
  alias: j.alias,
  simulator: j.simulator,
  tag: j.simulator ? "latest" : null,
  artifact_id: j.artifact_id,
  status: j.status,
  error: j.error,
  heartbeat_timeout: 300,
  last_heartbeat_at: "2025-01-01T00:00:00.000Z",
  created_at: "2025-01-01T00:00:00.000Z",
  closed_at: j.status === "closed" ? "2025-01-01T00:01:00.000Z" : null,
  close_reason: j.status === "closed" ? "closed" : null,
});

/** Polls `condition` until it holds (timers of a loaded machine run late, so no fixed sleeps for lower bounds). */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
