/**
 * Base of every error the SDK throws, so one `instanceof` catches them all.
 *
 * @example
 * try { await session.reset() } catch (e) { if (e instanceof TerrariumError) console.error(e.message) }
 */
export class TerrariumError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The server answered with an error status. `message` is the server's message; `code` its machine
 * code (`bad_request`, `not_found`...); `requestId` identifies the request in the server's log.
 *
 * @example
 * try { await client.sessions.retrieve("s_nope") } catch (e) { if (e instanceof ApiError) console.error(e.status, e.code) }
 */
export class ApiError extends TerrariumError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** Structured facts the server added to its message, if any. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  // GatewayTimeoutError descends from TimeoutError (so client-side and server-side timeouts are caught
  // alike), yet it is a server answer too: `instanceof ApiError` holds for it.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      Function.prototype[Symbol.hasInstance].call(this, value) ||
      (this === ApiError && value instanceof GatewayTimeoutError)
    );
  }
}

/**
 * 400: the request was malformed; the message names the field.
 *
 * @example
 * await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "Bad!" })] }); // throws BadRequestError
 */
export class BadRequestError extends ApiError {}

/**
 * 401: missing or unknown API key (set `TERRARIUM_API_KEY` or pass `apiKey`).
 *
 * @example
 * new Terrarium({ apiKey: "wrong" }).sessions.list(); // rejects with AuthenticationError
 */
export class AuthenticationError extends ApiError {}

/**
 * 404: unknown session, job, simulator, artifact or task.
 *
 * @example
 * await client.sessions.retrieve("s_000000000000"); // throws NotFoundError
 */
export class NotFoundError extends ApiError {}

/**
 * 409: the operation does not fit the current state (e.g. the session is closed).
 *
 * @example
 * await session.close(); await session.getEnv("forge")!.execute("true"); // throws ConflictError
 */
export class ConflictError extends ApiError {}

/**
 * 503: the server cannot do it now (e.g. Podman is unavailable). Idempotent calls retry it first.
 *
 * @example
 * if (e instanceof ServiceUnavailableError) setTimeout(retry, 5000);
 */
export class ServiceUnavailableError extends ApiError {}

/**
 * A 5xx other than 503 and 504: a fault of the server; `requestId` finds it in the server's log.
 *
 * @example
 * if (e instanceof InternalServerError) console.error(`see the server log for ${e.requestId}`);
 */
export class InternalServerError extends ApiError {}

/**
 * The request took longer than its timeout: the client's own timeout (this class), or a 504 from the
 * server (`GatewayTimeoutError`, a subclass).
 *
 * @example
 * try { await session.waitForReady({ timeout: 5 }) } catch (e) { if (e instanceof TimeoutError) ... }
 */
export class TimeoutError extends TerrariumError {}

/**
 * 504: the server gave up waiting. It is also an `ApiError` (status, code, requestId).
 *
 * @example
 * if (e instanceof GatewayTimeoutError) console.error(e.status, e.message); // 504 ...
 */
export class GatewayTimeoutError extends TimeoutError {
  readonly status = 504;
  constructor(
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The server could not be reached at all; the message names the URL.
 *
 * @example
 * await new Terrarium({ baseUrl: "http://127.0.0.1:9" }).health(); // throws ConnectionError
 */
export class ConnectionError extends TerrariumError {}

/**
 * Environments of a new session could not be made or did not become ready (at `create` or `wait`): the
 * session was closed. From `addEnv`: the one environment could not be added and was removed; the
 * session stays. `failures` maps each failing alias to the server's message.
 *
 * @example
 * catch (e) { if (e instanceof EnvironmentError) for (const [alias, why] of Object.entries(e.failures)) ... }
 */
export class EnvironmentError extends TerrariumError {
  constructor(
    message: string,
    /** Per alias, what went wrong. */
    readonly failures: Record<string, string>,
    /** The session that was closed because of them. */
    readonly sessionId?: string,
  ) {
    super(message);
  }
}

/**
 * An environment's state could not be captured; the message says why.
 *
 * @example
 * try { await env.getState() } catch (e) { if (e instanceof CaptureError) console.error(e.message) }
 */
export class CaptureError extends TerrariumError {}

/**
 * What was given as a dumped session (to `SerializedSession.parse` or `Session.load`) is not one, or
 * does not match the session on the server. `field` names the first bad field, e.g. `envs[0].job_id`.
 *
 * @example
 * try { SerializedSession.parse(JSON.parse(text)) } catch (e) { if (e instanceof InvalidSessionError) console.error(e.field) }
 */
export class InvalidSessionError extends TerrariumError {
  constructor(
    /** The first bad field as a path (`envs[0].job_id`), or `(the whole value)`. */
    readonly field: string,
    problem: string,
  ) {
    super(`not a dumped session: ${field}: ${problem}; pass what session.dump() returned`);
  }
}

/** @internal the error class of an HTTP error status. */
export function apiErrorFor(
  status: number,
  code: string,
  message: string,
  requestId?: string,
  details?: Record<string, unknown>,
): TerrariumError {
  if (status === 504) return new GatewayTimeoutError(code, message, requestId, details);
  const Class =
    status === 400
      ? BadRequestError
      : status === 401
        ? AuthenticationError
        : status === 404
          ? NotFoundError
          : status === 409
            ? ConflictError
            : status === 503
              ? ServiceUnavailableError
              : status >= 500
                ? InternalServerError
                : ApiError;
  return new Class(status, code, message, requestId, details);
}
