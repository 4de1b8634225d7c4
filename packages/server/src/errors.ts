import type { ErrorCode } from "@terrarium/wire";

/**
 * A failure the caller can act on. Services throw these; the HTTP layer turns them into
 * `{ error: { code, message } }` with the matching status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DomainError("not_found", message, details);
export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new DomainError("bad_request", message, details);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError("conflict", message, details);

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
