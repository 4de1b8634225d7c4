import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { statusOfErrorCode, type ErrorBody, type ErrorCode } from "@terrarium/wire";
import { DomainError } from "../errors.js";

const body = (code: ErrorCode, message: string, requestId: string, details?: Record<string, unknown>): ErrorBody => ({
  error: { code, message, request_id: requestId, ...(details ? { details } : {}) },
});

const codeOfStatus = (status: number): ErrorCode =>
  status === 401 ? "unauthorized" : status === 404 ? "not_found" : status === 409 ? "conflict" : "bad_request";

/** Every error leaves as `{ error: { code, message, request_id } }`: never a stack trace, never a 500 for bad input. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? "request";
      const problems = error.validation.map((issue) => {
        const path = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
        return `${path ? `${where}.${path}` : where}: ${issue.message}`;
      });
      return reply.code(400).send(body("bad_request", problems.join("; "), request.id));
    }
    if (error instanceof DomainError) {
      return reply.code(statusOfErrorCode[error.code]).send(body(error.code, error.message, request.id, error.details));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, "response does not match its schema");
      return reply
        .code(500)
        .send(body("internal", `internal error (request ${request.id}); see the server log`, request.id));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message =
        error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE"
          ? "send the body as JSON with Content-Type: application/json"
          : error.message;
      return reply.code(status).send(body(codeOfStatus(status), message, request.id));
    }
    request.log.error({ err: error }, "request failed");
    return reply
      .code(500)
      .send(body("internal", `internal error (request ${request.id}); see the server log`, request.id));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(body("not_found", `no route ${request.method} ${request.url.split("?")[0]}`, request.id)),
  );
}

/** Accepts an empty body on JSON routes (POST .../close needs none) and names malformed JSON clearly. */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, text, done) => {
    const source = typeof text === "string" ? text : text.toString("utf8");
    if (source.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(source));
    } catch (error) {
      const problem = Object.assign(new Error(`malformed JSON body: ${(error as Error).message}`), { statusCode: 400 });
      done(problem, undefined);
    }
  });
}
