import type { EnvSpec } from "@terrarium/wire";

export interface SimulatorEnvOptions {
  /** Name of the environment inside the session (and its host name on the session network). */
  alias?: string;
  /** Image tag of the simulator; default `latest`. */
  tag?: string;
  /** Which variant of its seed data (`client.simulators.list()` shows each one's `datasets`); default `base`. */
  dataset?: string;
  /** Seconds without heartbeats before the server closes the environment; 0 never. Default 300. */
  heartbeatTimeout?: number;
}

export interface ArtifactEnvOptions {
  /** Name of the environment inside the session (and its host name on the session network). */
  alias?: string;
  /** Resume the artifact's memory when it has one (default), or boot fresh from its disk. */
  restoreMemory?: boolean;
  /** Seconds without heartbeats before the server closes the environment; 0 never. Default 300. */
  heartbeatTimeout?: number;
}

/**
 * Describes an environment to start in a session.
 *
 * @example
 * await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
 */
export const Env = {
  /**
   * An environment from a simulator's image (`tag` default `latest`), of one of its datasets (default
   * `base`).
   *
   * @example
   * Env.simulator("fossil", { alias: "forge" }) // { type: "simulator", simulator: "fossil", alias: "forge" }
   * Env.simulator("fossil", { dataset: "blank" }) // an empty repository: no tickets, no wiki pages
   */
  simulator(name: string, options: SimulatorEnvOptions = {}): EnvSpec {
    return {
      type: "simulator",
      simulator: name,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
      ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
      ...(options.alias !== undefined ? { alias: options.alias } : {}),
      ...(options.heartbeatTimeout !== undefined ? { heartbeat_timeout: options.heartbeatTimeout } : {}),
    };
  },

  /**
   * An environment from a snapshot (artifact), with its memory restored when it has one.
   *
   * @example
   * Env.artifact("a_0123456789ab", { alias: "restored", restoreMemory: false })
   */
  artifact(artifactId: string, options: ArtifactEnvOptions = {}): EnvSpec {
    return {
      type: "artifact",
      artifact_id: artifactId,
      ...(options.alias !== undefined ? { alias: options.alias } : {}),
      ...(options.restoreMemory !== undefined ? { restore_memory: options.restoreMemory } : {}),
      ...(options.heartbeatTimeout !== undefined ? { heartbeat_timeout: options.heartbeatTimeout } : {}),
    };
  },
};
export type { EnvSpec };
