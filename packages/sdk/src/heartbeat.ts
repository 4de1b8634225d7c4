import { Worker } from "node:worker_threads";

/**
 * Where background heartbeats run. `worker`: in one thread shared by every session of the process
 * that beats, so they go on while the caller's event loop is blocked (a long synchronous computation,
 * `execSync`, a busy loop); `timer`: timers on the caller's own event loop, which a blocked loop stops.
 */
export type HeartbeatMode = "worker" | "timer";

/**
 * The heartbeat thread's code. It is text (an ES module loaded from a `data:` URL), not a file beside
 * this one: a file would be lost when the SDK is bundled, or run from its TypeScript sources. It
 * beats for every registered session on the thread's own event loop, skipping a tick while the last
 * beat is out, and stops a session (telling the main thread) once the server answers 404 or 409.
 */
const THREAD_SOURCE = `
import { parentPort } from "node:worker_threads";
const beats = new Map();
function stop(key) {
  const entry = beats.get(key);
  if (entry) clearInterval(entry.timer);
  beats.delete(key);
}
async function send(beat, entry) {
  if (entry.inFlight) return;
  entry.inFlight = true;
  try {
    const headers = { accept: "application/json" };
    if (beat.apiKey) headers["x-api-key"] = beat.apiKey;
    const response = await fetch(beat.url, { method: "POST", headers, signal: AbortSignal.timeout(beat.timeoutMs) });
    await response.arrayBuffer();
    if ((response.status === 404 || response.status === 409) && beats.get(beat.key) === entry) {
      stop(beat.key);
      parentPort.postMessage({ type: "gone", key: beat.key, status: response.status });
    }
  } catch {
    // Unreachable or timed out: tried again at the next tick.
  } finally {
    entry.inFlight = false;
  }
}
parentPort.on("message", (message) => {
  stop(message.key);
  if (message.type !== "start") return;
  const entry = { inFlight: false, timer: undefined };
  entry.timer = setInterval(() => void send(message, entry), message.intervalMs);
  beats.set(message.key, entry);
});
`;

/** What the heartbeat thread needs to beat for one session. */
interface BeatStart {
  type: "start";
  key: number;
  /** The session's heartbeat URL. */
  url: string;
  apiKey: string | undefined;
  intervalMs: number;
  timeoutMs: number;
}

/** Messages to the heartbeat thread. */
type ToHeartbeatThread = BeatStart | { type: "stop"; key: number };
/** Messages from it: the server said the session is gone (404, 409), so its beats stopped. */
type FromHeartbeatThread = { type: "gone"; key: number; status: number };

interface Registration {
  /** The server said the session is gone: its beats stopped. */
  onGone: () => void;
  /** The thread ended unexpectedly: the session beats some other way. */
  onLost: () => void;
}

let thread: Worker | undefined;
const registered = new Map<number, Registration>();
let nextKey = 1;
let warned = false;

/**
 * @internal Beats for a session in the process's heartbeat thread, started on first use. The thread is
 * unref'd (it never keeps the process alive) and ends when its last session stops. Answers the handle
 * that stops this session's beats, or undefined when no thread can run here (the caller then uses
 * timers; a warning says so once).
 */
export function beatInThread(
  beat: Omit<BeatStart, "type" | "key">,
  onGone: () => void,
  onLost: () => void,
): { stop(): void } | undefined {
  const worker = thread ?? spawn();
  if (!worker) return undefined;
  const key = nextKey++;
  const start: BeatStart = { type: "start", key, ...beat };
  registered.set(key, { onGone, onLost });
  worker.postMessage(start satisfies ToHeartbeatThread);
  return { stop: () => release(key) };
}

/** One session's beats end; with the last one, the thread. */
function release(key: number): void {
  if (!registered.delete(key)) return;
  if (registered.size > 0) return void thread?.postMessage({ type: "stop", key } satisfies ToHeartbeatThread);
  const ending = thread;
  thread = undefined;
  ending?.removeAllListeners("exit");
  void ending?.terminate();
}

function spawn(): Worker | undefined {
  let worker: Worker;
  try {
    worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(THREAD_SOURCE)}`));
  } catch (error) {
    warnOnce(`cannot start the heartbeat thread (${(error as Error).message})`);
    return undefined;
  }
  worker.on("message", (message: FromHeartbeatThread) => {
    const registration = registered.get(message.key);
    if (!registration) return;
    release(message.key);
    registration.onGone();
  });
  // Only an unexpected end reaches here (the last stop removes this listener first): every session it
  // beat for goes on with timers rather than silently losing its heartbeats.
  worker.on("error", (error) => warnOnce(`the heartbeat thread failed (${error.message})`));
  worker.on("exit", () => {
    if (thread === worker) thread = undefined;
    const lost = [...registered.values()];
    registered.clear();
    for (const registration of lost) registration.onLost();
  });
  // After the listeners: a "message" listener refs the thread's port again.
  worker.unref();
  thread = worker;
  return worker;
}

function warnOnce(what: string): void {
  if (warned) return;
  warned = true;
  process.emitWarning(
    `${what}; sessions send their heartbeats with timers on the main event loop instead, which a blocked loop stops (heartbeatMode: "timer")`,
    { code: "TERRARIUM_HEARTBEAT_THREAD" },
  );
}
