import { z } from "zod";

/**
 * A session as plain JSON, to hand to another process: `Session.load(SerializedSession.parse(json))`
 * (the counterpart of Python's `SerializedSession.model_validate_json`). The API key is not part of
 * it; the loading side brings its own. Both a zod schema and its type.
 *
 * @example
 * writeFileSync("session.json", JSON.stringify(session.dump()));
 * const data = SerializedSession.parse(JSON.parse(readFileSync("session.json", "utf8")));
 */
export const SerializedSession = z.object({
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
export type SerializedSession = z.infer<typeof SerializedSession>;
