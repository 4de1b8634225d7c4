import { z } from "zod";
import { InvalidSessionError } from "./errors.js";

const Schema = z.object({
  version: z.literal(1),
  session_id: z.string(),
  task_public_id: z.string().nullable(),
  base_url: z.url(),
  envs: z
    .array(
      z.object({
        job_id: z.string(),
        alias: z.string(),
        simulator: z.string().nullable(),
        artifact_id: z.string().nullable(),
      }),
    )
    .min(1),
  /** Whether heartbeats were running when it was dumped; `load` resumes them if so. */
  heartbeat: z.boolean(),
});

/**
 * A session as plain JSON, to hand to another process: `Session.load(SerializedSession.parse(json))`
 * (the counterpart of Python's `SerializedSession.model_validate_json`). The API key is not part of
 * it; the loading side brings its own. Both a type and its parser; `schema` is the zod schema.
 *
 * @example
 * writeFileSync("session.json", JSON.stringify(session.dump()));
 * const data = SerializedSession.parse(JSON.parse(readFileSync("session.json", "utf8")));
 */
export type SerializedSession = z.infer<typeof Schema>;
export const SerializedSession = {
  /** The zod schema of a dumped session, to compose into your own schemas. */
  schema: Schema,

  /**
   * The dumped session in `value`; throws an `InvalidSessionError` naming the first bad field.
   *
   * @example
   * const data = SerializedSession.parse(JSON.parse(text)); // InvalidSessionError: not a dumped session: envs[0].job_id: ...
   */
  parse(value: unknown): SerializedSession {
    const result = Schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    throw new InvalidSessionError(fieldOf(issue.path), issue.message);
  },
};

/** `["envs", 0, "job_id"]` as `envs[0].job_id`, the way the field reads in the JSON. */
function fieldOf(path: PropertyKey[]): string {
  if (path.length === 0) return "(the whole value)";
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`)).join("");
}
