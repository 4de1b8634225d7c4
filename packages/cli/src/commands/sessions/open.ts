import { Session, type SessionInfo, type Terrarium } from "@terrarium/sdk";

/**
 * A session another process made, to operate on by id: the server's record of it, and a `Session` of
 * the SDK for it, without heartbeats (a command is over in a moment; the session's heartbeat timeout,
 * set when it was made, decides how long it stays).
 */
export async function openSession(client: Terrarium, id: string): Promise<{ info: SessionInfo; session: Session }> {
  const info = await client.sessions.retrieve(id);
  const session = await Session.load(
    {
      version: 1,
      session_id: info.sessionId,
      task_public_id: info.taskPublicId,
      base_url: client.baseUrl,
      envs: info.envs.map((e) => ({
        job_id: e.jobId,
        alias: e.alias,
        simulator: e.simulator,
        artifact_id: e.artifactId,
      })),
      heartbeat: false,
    },
    { client, heartbeat: false },
  );
  return { info, session };
}

/** Where an environment comes from, as `sessions make` takes it: `fossil:latest`, or an artifact id. */
export const sourceOf = (env: { simulator: string | null; tag?: string | null; artifactId: string | null }): string =>
  env.simulator ? `${env.simulator}${env.tag ? `:${env.tag}` : ""}` : (env.artifactId ?? "?");
