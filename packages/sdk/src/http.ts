import { ErrorBody } from "@terrarium/wire";
import { ConnectionError, TimeoutError, apiErrorFor } from "./errors.js";

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Safe to send again: retried on connection errors and 502/503/504. */
  idempotent?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpOptions {
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
}

const RETRY_STATUSES = new Set([502, 503, 504]);

/** JSON over fetch with the API key, timeouts, retries with backoff and typed errors. */
export class Http {
  constructor(readonly options: HttpOptions) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const attempts = options.idempotent ? this.options.maxRetries + 1 : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await backoff(attempt, options.signal);
      try {
        return await this.once<T>(method, url, options);
      } catch (error) {
        lastError = error;
        const status = (error as { status?: unknown }).status;
        const retryable =
          error instanceof ConnectionError || (typeof status === "number" && RETRY_STATUSES.has(status));
        if (!retryable || options.signal?.aborted) throw error;
      }
    }
    throw lastError;
  }

  private async once<T>(method: string, url: URL, options: RequestOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.options.apiKey) headers["x-api-key"] = this.options.apiKey;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      if (timeout.aborted) throw new TimeoutError(`${method} ${url.pathname} took longer than ${timeoutMs} ms`);
      throw new ConnectionError(
        `cannot reach the Terrarium server at ${this.options.baseUrl} (${describe(error)}); is it running? \`terrarium up\` starts one`,
        { cause: error },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const parsed = ErrorBody.safeParse(safeJson(text));
      if (parsed.success) {
        const { code, message, request_id } = parsed.data.error;
        throw apiErrorFor(response.status, code, message, request_id);
      }
      throw apiErrorFor(
        response.status,
        "http_error",
        `${method} ${url.pathname} answered ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
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

function backoff(attempt: number, signal?: AbortSignal): Promise<void> {
  const ms = Math.min(4000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}
