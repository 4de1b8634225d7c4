import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  rmSync,
  statSync,
} from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract, pack, type Header, type Pack } from "tar-stream";
import type { EnvironmentSpec } from "../runtime.js";
import { PodmanApiError, type PodmanClient } from "./client.js";
import { checkCriu, findCriu } from "./criu.js";

export type CheckpointSupport = { supported: true } | { supported: false; reason: string };

/** Where Podman's checkpoint archive keeps the filesystem's changes. */
const ROOTFS_DIFF = "rootfs-diff.tar";
const DELETED_FILES = "deleted.files";
const SETUP_HINT = "run `terrarium setup` as root to build CRIU 4.2.1";
/** zstd's fastest level: an 11x smaller archive of a MariaDB environment for a few tenths of a second. */
const ZSTD_LEVEL = "-1";

/** Thrown when a checkpoint or a restore fails; the message says why and what to do. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

const probes = new WeakMap<PodmanClient, Promise<CheckpointSupport>>();

/** Whether memory checkpoints work through this Podman service; asked once (the host does not change under it). */
export function checkpointSupport(client: PodmanClient, criu?: string): Promise<CheckpointSupport> {
  let probe = probes.get(client);
  if (!probe) {
    probe = probeSupport(client, criu);
    probes.set(client, probe);
  }
  return probe;
}

async function probeSupport(client: PodmanClient, criu?: string): Promise<CheckpointSupport> {
  let runtime: string | undefined;
  try {
    const info = await client.json<{ host?: { ociRuntime?: { name?: string } } }>("GET", "/info");
    runtime = info.host?.ociRuntime?.name;
  } catch (error) {
    return { supported: false, reason: `Podman's API did not answer (${(error as Error).message})` };
  }
  if (runtime && runtime !== "runc") {
    return {
      supported: false,
      reason: `Podman runs containers with ${runtime}, and memory checkpoints need runc: set runtime = "runc" under [engine] in containers.conf`,
    };
  }
  if (!findExecutable("zstd")) return { supported: false, reason: `zstd is not installed; ${SETUP_HINT}` };
  const check = await checkCriu(criu ?? findCriu());
  if (!check.ok) return { supported: false, reason: `${check.error}; ${SETUP_HINT}` };
  return { supported: true };
}

/**
 * Checkpoints a running container with its memory (CRIU through runc) into a zstd-compressed tar at
 * `archivePath`; the container then goes on from that very checkpoint. File locks are kept (InnoDB
 * holds some). Established TCP connections cannot be: the caller closes them first.
 *
 * Not with `leaveRunning`: there the processes run on while Podman copies the filesystem into the
 * archive, so a file they grow meanwhile (a MyISAM table, a log) no longer matches the size CRIU
 * recorded, and every restore of that archive fails. Instead the container stops at the dump, its
 * filesystem is exported as it was, and it is restored in place from the checkpoint it keeps.
 */
export async function checkpoint(client: PodmanClient, id: string, archivePath: string): Promise<void> {
  const started = Date.now();
  let archive: Readable;
  try {
    archive = await client.stream("POST", `/containers/${encodeURIComponent(id)}/checkpoint`, {
      // Podman's own rootfs diff is left out: it misses changed files, and ours replaces it.
      query: { export: true, keep: true, fileLocks: true, ignoreRootfs: true },
    });
  } catch (error) {
    throw await explain(client, id, "dump.log", started, error, `cannot checkpoint environment ${id}`);
  }
  // The environment may go away under the checkpoint (removed at server stop): the stream's error
  // then reaches the copy below, and must not crash the process while nothing reads it yet.
  archive.on("error", () => undefined);
  const zstd = spawn("zstd", ["-q", "-c", ZSTD_LEVEL], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  zstd.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(zstd, "close") as Promise<[number | null, NodeJS.Signals | null]>;
  exited.catch(() => undefined); // awaited below, unless the copy fails first
  const diff = `${archivePath}.rootfs.tar`;
  try {
    // The archive holds the environment's whole memory, secrets included: readable by its owner only.
    rmSync(archivePath, { force: true });
    // The dump is done once Podman answers: the container is stopped, its filesystem still.
    const rootfs = await rootfsDiff(client, id, diff);
    const out = pack();
    await Promise.all([
      replaceRootfsDiff(archive, out, rootfs),
      pipeline(out, zstd.stdin),
      pipeline(zstd.stdout, createWriteStream(archivePath, { mode: 0o600 })),
    ]);
    const [code, signal] = await exited;
    if (code !== 0) throw new CheckpointError(`zstd failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
  } catch (error) {
    zstd.kill();
    rmSync(archivePath, { force: true });
    await resumeInPlace(client, id).catch(() => undefined);
    throw error;
  } finally {
    rmSync(diff, { force: true });
  }
  await resumeInPlace(client, id);
}

/**
 * Every file the container changed, as a tar of its overlay's upper layer (deletions, overlay's 0/0
 * character devices, listed apart). Podman 4.3 puts only ADDED files in the archive's rootfs diff:
 * a file changed in place (a database's tables and logs) would come back from the image, older than
 * the memory that goes with it.
 */
async function rootfsDiff(client: PodmanClient, id: string, file: string): Promise<{ tar: string; deleted: string[] }> {
  const c = await client.json<{ GraphDriver?: { Name?: string; Data?: { UpperDir?: string } } }>(
    "GET",
    `/containers/${encodeURIComponent(id)}/json`,
  );
  const upper = c.GraphDriver?.Data?.UpperDir;
  if (c.GraphDriver?.Name !== "overlay" || !upper) {
    throw new CheckpointError(
      `cannot checkpoint environment ${id}: its storage driver is ${c.GraphDriver?.Name ?? "unknown"}, and only overlay's changes can be read`,
    );
  }
  const included: string[] = [];
  const deleted: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = `${prefix}${entry.name}`;
      const full = join(dir, entry.name);
      if (entry.isCharacterDevice() && (await lstat(full)).rdev === 0) {
        deleted.push(`/${path}`);
        continue;
      }
      included.push(path);
      if (entry.isDirectory()) await walk(full, `${path}/`);
    }
  };
  await walk(upper, "");
  await new Promise<void>((resolve, reject) => {
    const tar = spawn("tar", ["-C", upper, "--numeric-owner", "--no-recursion", "--null", "-T", "-", "-cf", file], {
      stdio: ["pipe", "ignore", "pipe"],
    });
    let err = "";
    tar.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    tar.on("error", reject);
    tar.on("close", (code) =>
      code === 0 ? resolve() : reject(new CheckpointError(`cannot archive the environment's files: ${err.trim()}`)),
    );
    tar.stdin.end(included.map((p) => `${p}\0`).join(""));
  });
  return { tar: file, deleted };
}

/** Copies Podman's checkpoint archive into `out`, with `rootfs` as its rootfs diff and deletions. */
async function replaceRootfsDiff(
  archive: Readable,
  out: Pack,
  rootfs: { tar: string; deleted: string[] },
): Promise<void> {
  const input = extract();
  const reading = pipeline(archive, input);
  // Awaited below; a failure while the loop is on an entry surfaces there (or through the loop).
  reading.catch(() => undefined);
  for await (const entry of input) {
    const name = entry.header.name.replace(/^\.\//, "");
    if (name === ROOTFS_DIFF || name === DELETED_FILES) {
      entry.resume();
      continue;
    }
    await pipeline(entry, out.entry({ ...entry.header }));
  }
  await reading;
  const size = statSync(rootfs.tar).size;
  await pipeline(createReadStream(rootfs.tar), out.entry({ name: ROOTFS_DIFF, size, mode: 0o600 }));
  if (rootfs.deleted.length > 0) out.entry({ name: DELETED_FILES, mode: 0o600 }, JSON.stringify(rootfs.deleted));
  out.finalize();
}

/**
 * A container a checkpoint stopped and nobody resumed (the server died in between): resumed in place.
 * Answers false for any other container.
 */
export async function resumeIfCheckpointed(client: PodmanClient, id: string): Promise<boolean> {
  const c = await client.json<{ State: { Running: boolean; Checkpointed?: boolean } }>(
    "GET",
    `/containers/${encodeURIComponent(id)}/json`,
  );
  if (c.State.Running || !c.State.Checkpointed) return false;
  await resumeInPlace(client, id);
  return true;
}

/**
 * Restores a checkpointed container from the checkpoint it kept. Should that fail, it boots afresh
 * (its memory lost, its disk kept) so it is not left stopped, and the error says so.
 */
async function resumeInPlace(client: PodmanClient, id: string): Promise<void> {
  const started = Date.now();
  try {
    await client.json("POST", `/containers/${encodeURIComponent(id)}/restore`, { query: { fileLocks: true } });
  } catch (error) {
    const explained = await explain(client, id, "restore.log", started, error, `cannot resume environment ${id}`);
    await client.json("POST", `/containers/${encodeURIComponent(id)}/start`).catch(() => undefined);
    throw new CheckpointError(`${explained.message}; it was booted afresh from its disk instead`);
  }
}

/**
 * A new running container from a checkpoint archive, as `spec.name` with `spec.labels` (added to the
 * image's), on `spec.network` under `spec.alias`. Podman 4.3 would recreate the original's network
 * and labels from the archive, so a copy of the archive is streamed to it with those rewritten; the
 * address and MAC are new. Several clones of one archive can run at once.
 */
export async function restore(client: PodmanClient, archivePath: string, spec: EnvironmentSpec): Promise<string> {
  const what = `cannot restore ${archivePath} as environment ${spec.name}`;
  const started = Date.now();
  if (!existsSync(archivePath)) throw new CheckpointError(`${what}: the archive does not exist`);
  if (await containerExists(client, spec.name)) {
    throw new CheckpointError(`${what}: a container with that name exists already`);
  }
  const body = pack();
  const copied = copyForClone(archivePath, body, (config) => cloneConfig(client, config, spec));
  const restored = client
    .json<{ Id?: string; Err?: unknown }>("POST", `/containers/${encodeURIComponent(spec.name)}/restore`, {
      query: { import: true, name: spec.name, fileLocks: true, ignoreStaticIP: true, ignoreStaticMAC: true },
      upload: body,
    })
    .catch((error: Error) => {
      body.destroy(error); // stops the copy
      throw error;
    });
  const [copy, answer] = await Promise.allSettled([copied, restored]);
  if (copy.status === "fulfilled" && answer.status === "fulfilled" && answer.value.Id && !answer.value.Err) {
    return answer.value.Id;
  }
  // A copy that failed on its own aborts the upload with its error; one stopped by Podman's failure has another.
  const unreadable = copy.status === "rejected" && (answer.status === "fulfilled" || answer.reason === copy.reason);
  const error = unreadable
    ? new CheckpointError(`${what}: it is not a readable checkpoint archive (${(copy.reason as Error).message})`)
    : await explain(
        client,
        spec.name,
        "restore.log",
        started,
        answer.status === "rejected" ? answer.reason : new Error(`Podman answered ${JSON.stringify(answer.value)}`),
        what,
      );
  await removeLeftover(client, spec);
  throw error;
}

/** The container a failed restore leaves behind ("Created", holding the name), when it is ours. */
async function removeLeftover(client: PodmanClient, spec: EnvironmentSpec): Promise<void> {
  let labels: Record<string, string>;
  try {
    const c = await client.json<{ Config: { Labels: Record<string, string> | null } }>(
      "GET",
      `/containers/${encodeURIComponent(spec.name)}/json`,
    );
    labels = c.Config.Labels ?? {};
  } catch {
    return; // nothing left
  }
  if (!Object.entries(spec.labels).every(([k, v]) => labels[k] === v)) return;
  await client
    .json("DELETE", `/containers/${encodeURIComponent(spec.name)}`, { query: { force: true, timeout: 0, v: true } })
    .catch(() => undefined);
}

interface ConfigDump {
  rootfsImageID?: string;
  rootfsImageName?: string;
  labels?: Record<string, string> | null;
  networkMode?: string;
  newNetworks?: Record<string, { aliases?: string[]; interface_name?: string }> | null;
  spec?: OciSpec;
}
interface OciSpec {
  mounts?: { source?: string; type?: string; options?: string[] }[];
}

async function cloneConfig(client: PodmanClient, config: ConfigDump, spec: EnvironmentSpec): Promise<ConfigDump> {
  const image = config.rootfsImageID ?? config.rootfsImageName ?? "";
  let imageLabels: Record<string, string>;
  try {
    const info = await client.json<{ Labels?: Record<string, string> | null }>(
      "GET",
      `/images/${encodeURIComponent(image)}/json`,
    );
    imageLabels = info.Labels ?? {};
  } catch (error) {
    if (error instanceof PodmanApiError && error.status === 404) {
      throw new Error(`its image ${config.rootfsImageName ?? image} is gone from this host`);
    }
    throw error;
  }
  const iface = Object.values(config.newNetworks ?? {}).find((n) => n.interface_name)?.interface_name ?? "eth0";
  return {
    ...config,
    labels: { ...imageLabels, ...spec.labels },
    networkMode: "bridge",
    newNetworks: { [spec.network]: { aliases: [spec.alias], interface_name: iface } },
    spec: config.spec && realMountSources(config.spec),
  };
}

/**
 * Bind mounts by their real path. runc hands the sources to CRIU as external mounts, and CRIU binds a
 * symlink itself rather than its target: Podman's init (/usr/libexec/podman/catatonit) is a symlink
 * on Debian, and restoring a container with `init` fails on it.
 */
function realMountSources(spec: OciSpec): OciSpec {
  return {
    ...spec,
    mounts: spec.mounts?.map((m) => {
      if (m.type !== "bind" || !m.source) return m;
      try {
        return { ...m, source: realpathSync(m.source) };
      } catch {
        return m; // gone: Podman says so when it restores
      }
    }),
  };
}

/**
 * Copies a checkpoint archive into `out` entry by entry: config.dump rewritten by `edit`, spec.dump
 * with real bind mount sources, network.status (the original's address and MAC) left out.
 */
async function copyForClone(
  archivePath: string,
  out: Pack,
  edit: (config: ConfigDump) => Promise<ConfigDump>,
): Promise<void> {
  const source = decompressed(archivePath);
  const entries = extract();
  source.on("error", (error: Error) => entries.destroy(error));
  source.pipe(entries);
  const seen = new Set<string>();
  try {
    for await (const entry of entries) {
      const name = entry.header.name.replace(/^\.\//, "");
      seen.add(name);
      if (name === "network.status") {
        for await (const _ of entry); // dropped
      } else if (name === "config.dump" || name === "spec.dump") {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        const json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ConfigDump & OciSpec;
        const rewritten = name === "config.dump" ? await edit(json) : realMountSources(json);
        await addEntry(out, entry.header, Buffer.from(JSON.stringify(rewritten)));
      } else {
        await copyEntry(out, entry.header, entry);
      }
    }
    for (const needed of ["config.dump", "spec.dump", "checkpoint/inventory.img"]) {
      if (!seen.has(needed)) throw new Error(`${needed} is missing`);
    }
    out.finalize();
  } catch (error) {
    source.destroy();
    out.destroy(error as Error);
    throw error;
  }
}

function addEntry(out: Pack, header: Header, content: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    out.entry({ ...header, size: content.length }, content, (error) => (error ? reject(error) : resolve())),
  );
}

async function copyEntry(out: Pack, header: Header, content: AsyncIterable<unknown>): Promise<void> {
  let sink!: ReturnType<Pack["entry"]>;
  const written = new Promise<void>((resolve, reject) => {
    sink = out.entry({ ...header }, (error) => (error ? reject(error) : resolve()));
  });
  written.catch(() => undefined); // awaited below, unless the copy fails first
  for await (const chunk of content) {
    if (!sink.write(chunk)) await drained(sink);
  }
  sink.end(null);
  await written;
}

function drained(sink: ReturnType<Pack["entry"]>): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      sink.off("drain", done).off("error", done);
      if (error) reject(error);
      else resolve();
    };
    sink.once("drain", done).once("error", done);
  });
}

/** The archive as a plain tar stream, whatever it was compressed with (zstd, gzip or nothing). */
function decompressed(archivePath: string): Readable {
  const magic = Buffer.alloc(4);
  const fd = openSync(archivePath, "r");
  try {
    readSync(fd, magic, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
    const zstd = spawn("zstd", ["-q", "-d", "-c", archivePath], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    zstd.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    zstd.on("close", (code) => {
      if (code !== 0) zstd.stdout.destroy(new Error(`zstd: ${stderr.trim() || `exit ${code}`}`));
    });
    return zstd.stdout;
  }
  const file = createReadStream(archivePath);
  return magic[0] === 0x1f && magic[1] === 0x8b ? file.pipe(createGunzip()) : file;
}

async function containerExists(client: PodmanClient, name: string): Promise<boolean> {
  try {
    await client.json("GET", `/containers/${encodeURIComponent(name)}/exists`);
    return true;
  } catch (error) {
    if (error instanceof PodmanApiError && error.status === 404) return false;
    throw error;
  }
}

/**
 * A failed checkpoint or restore as a clear error: Podman only says that runc failed, and CRIU's log
 * in the container's directory says why.
 */
async function explain(
  client: PodmanClient,
  container: string,
  log: string,
  since: number,
  error: unknown,
  what: string,
): Promise<CheckpointError> {
  const message = error instanceof Error ? error.message : String(error);
  let dir: string | undefined;
  try {
    const c = await client.json<{ StaticDir?: string }>("GET", `/containers/${encodeURIComponent(container)}/json`);
    dir = c.StaticDir;
  } catch {
    // the container is gone: Podman's message is all there is
  }
  const criuError = dir ? firstCriuError(join(dir, log), since) : undefined;
  if (criuError && /Connected TCP socket/.test(criuError)) {
    return new CheckpointError(
      `${what}: it has established TCP connections, which a memory checkpoint cannot keep; close the connections to it (proxied requests, database clients) and try again`,
    );
  }
  if (criuError && /Can't get rlimit/.test(criuError)) {
    // An unpatched CRIU on a host where root lacks CAP_SYS_RESOURCE (mysqld runs as another user).
    return new CheckpointError(`${what}: CRIU: ${criuError}; ${SETUP_HINT} with its rlimit patch`);
  }
  if (criuError) return new CheckpointError(`${what}: CRIU: ${criuError}`);
  return new CheckpointError(`${what}: ${message}`);
}

/** The first error in CRIU's log, unless the log is older than `since` (left by an earlier failure). */
function firstCriuError(logFile: string, since: number): string | undefined {
  let text: string;
  try {
    if (statSync(logFile).mtimeMs < since - 1000) return undefined;
    text = readFileSync(logFile, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const match = /Error \([^)]*\): (.*)$/.exec(line);
    // CRIU tries to raise its own file limit first; without CAP_SYS_RESOURCE that fails harmlessly.
    if (match && !/RLIMIT_NOFILE for self/.test(match[1]!)) return match[1]!.trim();
  }
  return undefined;
}

function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
