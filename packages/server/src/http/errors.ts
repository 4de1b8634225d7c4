import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { statusOfErrorCode, type ErrorBody, type ErrorCode } from "@terrarium/wire";
import { DomainError } from "../errors.js";

/** The message is also `detail`, where Plato's SDK (and FastAPI clients in general) look for it. */
export const errorBody = (
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: Record<string, unknown>,
): ErrorBody => ({
  error: { code, message, request_id: requestId, ...(details ? { details } : {}) },
  detail: message,
});

const codeOfStatus = (status: number): ErrorCode =>
  (Object.entries(statusOfErrorCode).find(([, s]) => s === status)?.[0] as ErrorCode | undefined) ?? "bad_request";

/** Fastify's own wordings, where they name its internals rather than what to fix. */
const messageOf = (error: FastifyError): string => {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "send the body as JSON with Content-Type: application/json";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "the request body is larger than the 16 MiB this server accepts";
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the body is empty; send a JSON object (or no Content-Type)";
    default:
      return error.message;
  }
};

/** Errors Fastify raises before any route runs: a malformed URL, or a path segment too long to be an id. */
export const frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
  const message =
    error.code === "FST_ERR_MAX_PARAM_LENGTH"
      ? "a path segment is longer than 100 characters, so it names no session, job, artifact or task; check the id in the URL"
      : error.code === "FST_ERR_BAD_URL"
        ? "the URL is malformed (an invalid percent-encoding?); check the path"
        : messageOf(error);
  return reply.code(400).send(errorBody("bad_request", message, request.id));
};

/** A path pattern of Fastify's (`/a/:id/b`, `/a/*`) as a regular expression over request paths. */
const patternOf = (url: string): RegExp =>
  new RegExp(
    `^${url
      .split("/")
      .map((part) =>
        part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/")}$`,
  );

/** Every error leaves as `{ error: { code, message, request_id }, detail }`: never a stack trace, never a 500 for bad input. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? "request";
      const problems = error.validation.map((issue) => {
        const path = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
        return `${path ? `${where}.${path}` : where}: ${issue.message}`;
      });
      return reply.code(400).send(errorBody("bad_request", problems.join("; "), request.id));
    }
    if (error instanceof DomainError) {
      return reply
        .code(statusOfErrorCode[error.code])
        .send(errorBody(error.code, error.message, request.id, error.details));
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error, issues: error.cause.issues }, "response does not match its schema");
      return reply
        .code(500)
        .send(errorBody("internal", `internal error (request ${request.id}); see the server log`, request.id));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(errorBody(codeOfStatus(status), messageOf(error), request.id));
    }
    request.log.error({ err: error }, "request failed");
    return reply
      .code(500)
      .send(errorBody("internal", `internal error (request ${request.id}); see the server log`, request.id));
  });

  // Routes by path, so a known path asked with the wrong method answers 405 with the methods it has.
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook("onRoute", (route) => {
    const methods = [route.method].flat().map((m) => m.toUpperCase());
    routes.push({ pattern: patternOf(route.url), methods });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
    if (allowed.length > 0) {
      return reply
        .code(405)
        .header("allow", allowed.join(", "))
        .send(
          errorBody(
            "method_not_allowed",
            `${path} does not take ${request.method}; it takes ${allowed.join(", ")}`,
            request.id,
          ),
        );
    }
    return reply.code(404).send(errorBody("not_found", `no route ${request.method} ${path}`, request.id));
  });
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
