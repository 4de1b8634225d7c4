import { z } from "zod";

/** Machine-readable error codes; each maps to one HTTP status and one SDK error class. */
export const ErrorCode = z.enum([
  "bad_request",
  "unauthorized",
  "not_found",
  "conflict",
  "timeout",
  "unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Body of every non-2xx answer: `{ error: { code, message } }`. */
export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    request_id: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const statusOfErrorCode: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  timeout: 504,
  unavailable: 503,
  internal: 500,
};
