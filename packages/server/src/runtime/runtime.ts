/** What a runtime needs to start one environment. */
export interface EnvironmentSpec {
  /** Container name, unique on the host. */
  name: string;
  image: string;
  /** The session network the environment joins, reachable there under `alias`. */
  network: string;
  alias: string;
  cpus: number;
  memoryBytes: number;
  labels: Record<string, string>;
}

/** The port of the runtime's exec agent inside an environment: never an app's, never proxied. */
export const EXEC_AGENT_PORT = 7399;

/** How stdout and stderr are answered: UTF-8 text (the default) or base64 of the exact bytes. */
export type ExecEncoding = "utf8" | "base64";

export interface ExecOptions {
  timeoutSeconds: number;
  /** Bytes kept of stdout and of stderr each; the rest is dropped and `truncated` set. */
  outputLimit: number;
  /** Default utf8. */
  encoding?: ExecEncoding;
}

export interface ExecOutcome {
  stdout: string;
  stderr: string;
  /** The stream had bytes that are not UTF-8, answered as U+FFFD (never with base64). */
  stdoutLossy: boolean;
  stderrLossy: boolean;
  /** null when the command was killed by the timeout. */
  exitCode: number | null;
  timedOut: boolean;
  truncated: boolean;
}

export interface EnvironmentInfo {
  id: string;
  name: string;
  running: boolean;
  labels: Record<string, string>;
  /** The environment's address on its session network, when it has one. */
  address: string | null;
}

export interface ImageInfo {
  id: string;
  /** Full names with tags, e.g. `localhost/terrarium/fossil:1.0.0`. */
  names: string[];
  labels: Record<string, string>;
}

export interface NetworkInfo {
  name: string;
  labels: Record<string, string>;
}

/**
 * An engine that runs environments: one isolated container per environment, one network per session.
 * The Podman driver is the local default; other engines implement the same interface.
 */
export interface Runtime {
  readonly name: string;
  version(): Promise<string>;
  imageExists(image: string): Promise<boolean>;
  /** Images whose name (without tag) is `repository`, with their tags and labels. */
  listImages(repository: string): Promise<ImageInfo[]>;
  /** Creates an isolated network that cannot reach other sessions' networks or the host. */
  createNetwork(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes a network; a network that is already gone is not an error. */
  removeNetwork(name: string): Promise<void>;
  /** Creates and starts an environment, answering its container id. */
  startEnvironment(spec: EnvironmentSpec): Promise<string>;
  /** Joins a running environment to a network, reachable there under `alias`. */
  connectNetwork(network: string, id: string, alias: string): Promise<void>;
  /** Takes an environment off a network; one that is not on it is not an error. */
  disconnectNetwork(network: string, id: string): Promise<void>;
  /** Renames an environment (its container). */
  renameEnvironment(id: string, name: string): Promise<void>;
  /** Sets a running environment's host name (as `hostname` and /etc/hostname show it). */
  setHostname(id: string, hostname: string): Promise<void>;
  /** Removes an environment at once; one that is already gone is not an error. */
  removeEnvironment(id: string): Promise<void>;
  inspectEnvironment(id: string): Promise<EnvironmentInfo | undefined>;
  exec(id: string, command: string, options: ExecOptions): Promise<ExecOutcome>;
  /** A tar archive of `path` (a file or a directory) inside the environment. */
  archive(id: string, path: string): Promise<Buffer>;
  /**
   * Commits the environment's filesystem as `image` (repository:tag) with extra labels. The
   * environment is frozen while its layer is copied, so every write made before is in it.
   */
  commit(id: string, image: string, labels: Record<string, string>): Promise<{ imageId: string; size: number }>;
  /** Whether memory checkpoints work on this host; when not, why (shown to users). */
  checkpointSupport(): Promise<{ supported: true } | { supported: false; reason: string }>;
  /** Checkpoints a running environment with its memory into an archive file; it keeps running. */
  checkpoint(id: string, archivePath: string): Promise<void>;
  /**
   * Resumes an environment a checkpoint stopped when nothing resumed it (its server died during a
   * memory snapshot); answers whether it was one.
   */
  resumeCheckpointed(id: string): Promise<boolean>;
  /**
   * A new, running environment from a checkpoint archive: `spec.name` and `spec.labels`, joined to
   * `spec.network` under `spec.alias` (the image and resources come from the archive).
   */
  restore(archivePath: string, spec: EnvironmentSpec): Promise<string>;
  /** Adds a name (repository:tag) to an image. */
  tagImage(image: string, name: string): Promise<void>;
  /** Removes one name of an image (the image goes with its last name); a missing one is not an error. */
  removeImage(name: string): Promise<void>;
  /** The image's id, or undefined when no image has that name. */
  imageId(name: string): Promise<string | undefined>;
  /** Environments and networks carrying every one of `labels`. */
  listEnvironments(labels: Record<string, string>): Promise<EnvironmentInfo[]>;
  listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]>;
  close(): Promise<void>;
}
