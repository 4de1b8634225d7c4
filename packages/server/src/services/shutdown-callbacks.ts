import { errorMessage } from "../errors.js";
import type { OwedCallback } from "../store/callbacks.js";
import type { Store } from "../store/store.js";
import type { SessionLog } from "./session-log.js";

/** Waits between tries: 8 tries over about 4 minutes. */
export const DEFAULT_CALLBACK_RETRY_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000];
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface CallbackDispatcherOptions {
  store: Store;
  log: Pick<SessionLog, "record">;
  /** Waits before each retry; after the last, the callback is given up (and the session's log says so). */
  retryDelaysMs?: number[];
}

/**
 * Delivers the shutdown callbacks sessions asked for, once each, from the store (so a restart resumes
 * them): a POST of the payload to the URL the user gave, nowhere else (redirects are not followed), with
 * the user's token as a bearer token, retried with backoff until it answers 2xx.
 */
export class CallbackDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly delays: number[];

  constructor(private readonly o: CallbackDispatcherOptions) {
    this.delays = o.retryDelaysMs ?? DEFAULT_CALLBACK_RETRY_MS;
  }

  /** At the server's start: callbacks owed from before it are tried at once, then as they come due. */
  start(): void {
    this.o.store.callbacks.resume(new Date().toISOString());
    this.kick();
  }

  /** Delivers what is due now, then sleeps until the next one is. */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running ??= this.deliverDue()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        this.schedule();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = this.o.store.callbacks.nextDue();
    if (next === undefined) return;
    const wait = Math.max(0, Math.min(Date.parse(next) - Date.now(), 60_000));
    this.timer = setTimeout(() => this.kick(), wait).unref();
  }

  private async deliverDue(): Promise<void> {
    const due = this.o.store.callbacks.due(new Date().toISOString());
    await Promise.all(due.map((callback) => this.attempt(callback)));
  }

  private async attempt(callback: OwedCallback): Promise<void> {
    const attempts = callback.attempts + 1;
    let error: string;
    try {
      const response = await fetch(callback.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "terrarium-shutdown-callback",
          ...(callback.token ? { authorization: `Bearer ${callback.token}` } : {}),
        },
        body: callback.payload,
        redirect: "manual",
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) {
        this.o.store.callbacks.delivered(callback.sessionId, new Date().toISOString(), attempts);
        this.o.log.record(callback.sessionId, "shutdown_callback", `shutdown callback delivered (try ${attempts})`, {
          data: { status: response.status, attempts },
        });
        return;
      }
      error =
        response.status >= 300 && response.status < 400
          ? `answered ${response.status} (a redirect, not followed: the callback goes only to the URL given)`
          : `answered ${response.status}`;
    } catch (failure) {
      error =
        failure instanceof Error && failure.cause
          ? `${failure.message}: ${errorMessage(failure.cause)}`
          : errorMessage(failure);
    }
    const delay = this.delays[attempts - 1];
    const next = delay === undefined ? undefined : new Date(Date.now() + delay).toISOString();
    this.o.store.callbacks.failed(callback.sessionId, attempts, error, next, new Date().toISOString());
    if (next === undefined) {
      this.o.log.record(
        callback.sessionId,
        "shutdown_callback",
        `shutdown callback given up after ${attempts} tries: ${error}`,
        { data: { attempts, error } },
      );
    }
  }
}
