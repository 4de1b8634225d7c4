import { z } from "zod";
import { ConnectionError, TerrariumError, TimeoutError, apiErrorFor } from "./errors.js";

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Safe to send again: retried on connection errors and 502/503/504. */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

export interface HttpOptions {
  baseUrl: string;
  apiKey?: string | undefined;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * The wire's `ErrorBody`, but open to error codes this SDK does not know yet: a newer server must still
 * give its message, not a raw body.
 */
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    request_id: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const RETRY_STATUSES = new Set([502, 503, 504]);
/** A server's `Retry-After` is honoured up to this long; beyond, the usual backoff applies. */
const MAX_RETRY_AFTER_MS = 60_000;

/** How long the server asked us to wait before trying again, per error it answered. */
const retryAfterOf = new WeakMap<object, number>();

/** @internal JSON over fetch with the API key, timeouts, retries with backoff and typed errors. */
export class Http {
  constructor(readonly options: HttpOptions) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const attempts = options.idempotent ? Math.max(0, this.options.maxRetries) + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(method, url, options);
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        const retryable =
          error instanceof ConnectionError || (typeof status === "number" && RETRY_STATUSES.has(status));
        if (!retryable || attempt >= attempts || options.signal?.aborted) throw error;
        await sleep(backoffMs(attempt, retryAfterOf.get(error as object)), options.signal);
      }
    }
  }

  private async once<T>(method: string, url: URL, options: RequestOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.options.apiKey) headers["x-api-key"] = this.options.apiKey;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const where = `${method} ${url.pathname}`;
    const failed = (error: unknown): never => {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      if (timeout.aborted) throw new TimeoutError(`${where} took longer than ${timeoutMs} ms`, { cause: error });
      throw new ConnectionError(
        `cannot reach the Terrarium server at ${this.options.baseUrl} (${describe(error)}); is it running? \`terrarium up\` starts one`,
        { cause: error },
      );
    };
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      return failed(error);
    }
    if (!response.ok) {
      const body = ErrorBody.safeParse(safeJson(text)).data?.error;
      const error = body
        ? apiErrorFor(response.status, body.code, body.message, body.request_id, body.details)
        : apiErrorFor(response.status, "http_error", `${where} answered ${response.status}: ${text.slice(0, 200)}`);
      const retryAfterMs = retryAfter(response.headers.get("retry-after"));
      if (retryAfterMs !== undefined) retryAfterOf.set(error, retryAfterMs);
      throw error;
    }
    if (!text) return undefined as T;
    const value = safeJson(text);
    if (value === undefined) {
      throw new TerrariumError(
        `${where} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    return value as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** `Retry-After` in seconds or as an HTTP date, in ms. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/** Exponential backoff with jitter: about 0.5 s, 1 s, 2 s... at most 8 s. */
function backoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return Math.min(8000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
