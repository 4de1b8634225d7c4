/** Base of every error the SDK throws. */
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
 * try { await client.sessions.retrieve("s_nope") } catch (e) { if (e instanceof NotFoundError) ... }
 */
export class ApiError extends TerrariumError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** 400: the request was malformed; the message names the field. */
export class BadRequestError extends ApiError {}
/** 401: missing or unknown API key. */
export class AuthenticationError extends ApiError {}
/** 404: unknown session, job, simulator, artifact or task. */
export class NotFoundError extends ApiError {}
/** 409: the operation does not fit the current state (e.g. the session is closed). */
export class ConflictError extends ApiError {}
/** 503: the server cannot do it now (e.g. Podman unavailable). */
export class ServiceUnavailableError extends ApiError {}
/** 5xx other than 503/504. */
export class InternalServerError extends ApiError {}

/** The request took longer than its timeout (504 from the server, or the client's own timeout). */
export class TimeoutError extends TerrariumError {}

/** 504: the server gave up waiting (e.g. for environments to become ready). */
export class GatewayTimeoutError extends TimeoutError {
  readonly status = 504;
  constructor(
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** The server could not be reached at all. */
export class ConnectionError extends TerrariumError {}

/** Environments of a new session could not be made or did not become ready; the session was closed. */
export class EnvironmentError extends TerrariumError {
  constructor(
    message: string,
    /** Per alias, what went wrong. */
    readonly failures: Record<string, string>,
  ) {
    super(message);
  }
}

export function apiErrorFor(status: number, code: string, message: string, requestId?: string): TerrariumError {
  if (status === 504) return new GatewayTimeoutError(code, message, requestId);
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
  return new Class(status, code, message, requestId);
}

/** An environment's state could not be captured; the message says why. */
export class CaptureError extends TerrariumError {}
