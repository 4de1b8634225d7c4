import { request, type IncomingMessage } from "node:http";

/** Thrown when Podman answers an error status; `status` is Podman's HTTP status. */
export class PodmanApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PodmanApiError";
  }
}

/** A body to stream: anything that pipes, Node's streams or streamx's (tar-stream). */
export interface Upload {
  pipe(destination: NodeJS.WritableStream): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  /** A stream sent as the body instead of JSON (e.g. a checkpoint archive to restore). */
  upload?: Upload;
  signal?: AbortSignal;
}

const API = "/v4.0.0/libpod";

/** A small client for Podman's libpod REST API on a unix socket. */
export class PodmanClient {
  constructor(readonly socketPath: string) {}

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.open(method, path, options);
    const text = await readText(response);
    if (response.statusCode! >= 400) throw toError(response.statusCode!, text);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  /** Sends a request whose answer carries nothing to read (some endpoints answer plain "OK"). */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<void> {
    const response = await this.open(method, path, options);
    const text = await readText(response);
    if (response.statusCode! >= 400) throw toError(response.statusCode!, text);
  }

  /** Sends a request and hands back the raw response (for streams); error statuses are thrown. */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const response = await this.open(method, path, options);
    if (response.statusCode! >= 400) throw toError(response.statusCode!, await readText(response));
    return response;
  }

  private open(method: string, path: string, options: RequestOptions): Promise<IncomingMessage> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (Array.isArray(v)) for (const item of v) query.append(k, item);
      else if (v !== undefined) query.set(k, String(v));
    }
    const qs = query.size > 0 ? `?${query}` : "";
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path: `${API}${path}${qs}`,
          headers: options.upload
            ? { "content-type": "application/x-tar" }
            : body === undefined
              ? {}
              : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          signal: options.signal,
        },
        resolve,
      );
      req.on("error", reject);
      if (!options.upload) return req.end(body);
      options.upload.on("error", (error: Error) => req.destroy(error));
      options.upload.pipe(req);
    });
  }
}

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on("data", (c: Buffer) => chunks.push(c));
    response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    response.on("error", reject);
  });
}

function toError(status: number, text: string): PodmanApiError {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { message?: string; cause?: string };
    message = parsed.message ?? parsed.cause ?? text;
  } catch {
    // not JSON: keep the text
  }
  return new PodmanApiError(status, message.trim() || `podman answered ${status}`);
}
