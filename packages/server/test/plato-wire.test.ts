import { beforeAll, describe, expect, it } from "vitest";
import { openapiDocument, type Document, type Schema } from "./openapi-document.js";

/**
 * The request and response shapes of Plato's v2 sessions API that `../shared/design/PLATO_2026.md` lists
 * and Plato's SDK (plato-sdk-v2, its generated models) reads, held field by field against the OpenAPI
 * document the server serves. A field Plato sends must be one our request accepts; a field Plato's
 * models require must be one our answer always has. Dotted paths go into objects, `[]` into arrays
 * and `{}` into maps (per job id), `<type>` into the member of a union of that type; a trailing `?` marks
 * an answer field Plato reads but does not require (ours must exist, and may be left out too).
 */
interface Shape {
  method: "get" | "post";
  path: string;
  /** For a body that is a union on `type`: the member these fields are of. */
  variant?: string;
  request?: string[];
  response?: string[];
}

const shapes: Shape[] = [
  {
    method: "post",
    path: "/api/v2/sessions/make",
    variant: "envs",
    request: [
      "type",
      "envs",
      "timeout",
      "heartbeat_timeout",
      "wait",
      "shutdown_callback_url",
      "shutdown_callback_token",
      "envs[]<simulator>.simulator",
      "envs[]<simulator>.tag",
      "envs[]<simulator>.dataset",
      "envs[]<simulator>.alias",
      "envs[]<artifact>.artifact_id",
      "envs[]<artifact>.alias",
      "envs[]<artifact>.restore_memory",
    ],
    response: ["session_id", "envs", "envs[].alias", "envs[].job_id", "envs[].success"],
  },
  { method: "post", path: "/api/v2/sessions/make", variant: "testcase", request: ["type", "testcase_id", "timeout"] },
  { method: "post", path: "/api/v2/sessions/make", variant: "task", request: ["type", "task_id", "timeout"] },
  {
    method: "get",
    path: "/api/v2/sessions/{session_id}/wait_for_ready",
    response: ["ready", "results", "context", "context.session_id", "context.envs", "context.envs[].job_id"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/jobs",
    request: ["env", "timeout", "heartbeat_timeout", "env<simulator>.simulator", "env<artifact>.artifact_id"],
    response: ["session_id", "env", "env.job_id", "env.alias", "env.success"],
  },
  {
    method: "get",
    path: "/api/v2/sessions/{session_id}/jobs",
    response: ["session_id", "jobs", "jobs[].job_id", "jobs[].alias", "jobs[].status", "jobs[].status_reason"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/remove-job",
    request: ["job_id"],
    response: ["session_id", "job_id", "success"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/set_date",
    request: ["datetime", "timeout"],
    response: ["session_id", "results", "results{}.success", "results{}.stdout", "results{}.stderr"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/execute",
    request: ["command", "timeout"],
    response: ["session_id", "results", "results{}.stdout", "results{}.stderr", "results{}.exit_code"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/reset",
    response: ["session_id", "success", "results"],
  },
  {
    method: "get",
    path: "/api/v2/sessions/{session_id}/state",
    response: ["session_id", "results", "results{}.state", "results{}.mutations"],
  },
  {
    method: "get",
    path: "/api/v2/sessions/{session_id}/public_url",
    response: ["session_id", "results", "results{}.job_id", "results{}.url"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/heartbeat",
    response: ["session_id", "success", "timestamp", "results"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/disk_snapshot",
    request: ["override_service", "override_version", "override_dataset"],
    response: ["session_id", "results", "results{}.success", "results{}.artifact_id?"],
  },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/snapshot",
    response: ["session_id", "results", "results{}.success", "results{}.artifact_id?"],
  },
  { method: "post", path: "/api/v2/sessions/{session_id}/evaluate", request: ["value"], response: ["session_id"] },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/close",
    response: ["session_id", "success", "message", "results", "results{}.success"],
  },
  { method: "get", path: "/api/v2/sessions/{session_id}/logs", response: ["session_id", "events"] },
  {
    method: "post",
    path: "/api/v2/sessions/{session_id}/link-testcase",
    request: ["testcase_id"],
    response: ["session_id", "testcase_id", "success"],
  },
  { method: "get", path: "/api/v2/sessions/{session_id}/jobs/{job_id}/logs", response: ["session_id", "events"] },
  // Per-job routes answer the bare result.
  { method: "post", path: "/api/v2/jobs/{job_id}/execute", request: ["command"], response: ["stdout", "exit_code"] },
  { method: "get", path: "/api/v2/jobs/{job_id}/wait_for_ready", response: ["ready"] },
  { method: "post", path: "/api/v2/jobs/{job_id}/set_date", request: ["datetime"], response: ["success", "stdout"] },
];

describe("the wire as Plato's SDK reads it", () => {
  let document: Document;
  beforeAll(async () => {
    document = await openapiDocument();
  });

  const resolve = (schema: Schema): Schema => {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace("#/components/schemas/", "");
    const found = document.components?.schemas?.[name];
    if (!found) throw new Error(`dangling ${schema.$ref}`);
    return resolve(found);
  };
  /** The members of a union, or the schema itself. */
  const members = (schema: Schema): Schema[] => {
    const s = resolve(schema);
    const union = s.oneOf ?? s.anyOf;
    return union ? union.flatMap(members) : s.allOf ? [Object.assign({}, ...s.allOf.map(resolve)) as Schema] : [s];
  };
  /** The union member whose `type` is `variant`. */
  const member = (schema: Schema, variant: string): Schema => {
    const found = members(schema).find((m) => resolve(m.properties?.type ?? {}).enum?.includes(variant));
    if (!found) throw new Error(`no member of type ${variant}`);
    return found;
  };
  /**
   * Where a dotted path leads, and whether each step of it is required (for answers). `name<variant>`
   * steps into the union member of that type.
   */
  const lookup = (root: Schema, path: string): { schema?: Schema; required: boolean } => {
    let schema: Schema | undefined = root;
    let required = true;
    for (const step of path.split(".")) {
      const [, name, suffix, variant] = /^([a-z_]+)((?:\[\]|\{\})?)(?:<([a-z]+)>)?$/.exec(step) ?? [];
      if (!name || !schema) return { required: false };
      const holder: Schema | undefined = members(schema).find((m) => m.properties?.[name]);
      if (!holder) return { required: false };
      required &&= holder.required?.includes(name) ?? false;
      schema = resolve(holder.properties![name]!);
      if (suffix === "[]") schema = schema.items && resolve(schema.items);
      if (suffix === "{}")
        schema = typeof schema.additionalProperties === "object" ? resolve(schema.additionalProperties) : undefined;
      if (variant && schema) schema = member(schema, variant);
    }
    return { schema, required };
  };

  for (const shape of shapes) {
    const name = `${shape.method.toUpperCase()} ${shape.path}${shape.variant ? ` (${shape.variant})` : ""}`;
    it(`${name}: takes what Plato sends and answers what Plato's models require`, () => {
      const operation = document.paths[shape.path]?.[shape.method];
      expect(operation, `${name} is a route`).toBeDefined();
      if (shape.request) {
        let body = operation!.requestBody?.content["application/json"]?.schema;
        expect(body, `${name} takes a JSON body`).toBeDefined();
        if (shape.variant) body = member(body!, shape.variant);
        const missing = shape.request.filter((field) => !lookup(body!, field).schema);
        expect(missing, `${name}: request fields we do not take`).toEqual([]);
      }
      if (shape.response) {
        const answer = operation!.responses["200"]?.content?.["application/json"]?.schema;
        expect(answer, `${name} answers JSON`).toBeDefined();
        const optional = shape.response.filter((f) => !f.endsWith("?") && !lookup(answer!, f).required);
        expect(optional, `${name}: answer fields Plato requires that we may leave out`).toEqual([]);
        const absent = shape.response.filter((f) => f.endsWith("?") && !lookup(answer!, f.slice(0, -1)).schema);
        expect(absent, `${name}: answer fields Plato reads that we never give`).toEqual([]);
      }
    });
  }

  // Task criteria are the one exception: they are the task files' authored format (YAML keys such as
  // passThreshold and query operators such as $regex), answered by /api/v2/tasks as written.
  it("names every field of every other schema in snake_case, as Plato's wire does", () => {
    const authored = (at: string) =>
      /^components\.schemas\.(Check|Matcher|Criteria)\w*\b|^paths\.\/api\/v2\/tasks/.test(at);
    const camel: string[] = [];
    const walk = (value: unknown, at: string): void => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}[${i}]`));
      if (typeof value !== "object" || value === null) return;
      for (const [key, v] of Object.entries(value)) {
        if (key === "properties" && typeof v === "object" && v !== null)
          for (const field of Object.keys(v))
            // `{"$b64": ...}` is a value (bytes that are not text, in a row), not a field.
            if (!/^[a-z0-9_]+$/.test(field) && field !== "$b64" && !authored(at)) camel.push(`${at}.${field}`);
        walk(v, `${at}.${key}`);
      }
    };
    walk(document.components?.schemas ?? {}, "components.schemas");
    walk(document.paths, "paths");
    expect(camel).toEqual([]);
  });
});
