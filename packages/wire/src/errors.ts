import { z } from "zod";

/** Each code maps to one HTTP status and one SDK error class. */
export const ErrorCode = z
  .enum([
    "bad_request",
    "unauthorized",
    "not_found",
    "method_not_allowed",
    "conflict",
    "payload_too_large",
    "timeout",
    "unavailable",
    "internal",
  ])
  .describe(
    "Machine-readable kind of error, one per HTTP status: bad_request 400, unauthorized 401, not_found 404, method_not_allowed 405, conflict 409, payload_too_large 413, internal 500, unavailable 503, timeout 504",
  );
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z
  .object({
    error: z
      .object({
        code: ErrorCode,
        message: z.string().describe("What was wrong and what to do about it, for people"),
        request_id: z
          .string()
          .optional()
          .describe("Id of the request (`req_...`), as in the server's log; quote it when reporting a problem"),
        details: z
          .record(z.string(), z.unknown())
          .optional()
          .describe("Machine-readable context of the error, when it has any"),
      })
      .describe("The error"),
    detail: z
      .string()
      .describe("The error's message again, where Plato's SDK and other FastAPI clients read it (`detail`)"),
  })
  .describe("An error: the body of every non-2xx answer");
export type ErrorBody = z.infer<typeof ErrorBody>;

export const statusOfErrorCode: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  timeout: 504,
  unavailable: 503,
  internal: 500,
};
