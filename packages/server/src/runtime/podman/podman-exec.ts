import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { pack } from "tar-stream";
import { encodeOutput } from "../output.js";
import type { ExecOptions, ExecOutcome } from "../runtime.js";
import type { PodmanClient } from "./client.js";
import { StreamDemuxer } from "./demux.js";
import { ProcessTree } from "./process-tree.js";

/**
 * `execute` through podman exec: the way for environments without the exec agent. Like the agent, it
 * kills the command's whole tree at the timeout (TERM, KILL 2 s later), found from the host's /proc.
 */

/** Exit statuses of coreutils' `timeout` when it had to stop the command (TERM, then KILL). */
const TIMEOUT_EXIT_CODES = new Set([124, 137]);
/** How long after the command's own timeout the server stops waiting for the exec stream. */
const EXEC_GRACE_MS = 10_000;
/** TERM, then KILL this long after to what is left, as `timeout --kill-after=2` does. */
const KILL_AFTER_MS = 2_000;
/** How often the tree is looked at again while it dies. */
const SWEEP_MS = 100;
/** How long KILL is given: past it, a process that does not die (stuck in the kernel) is left. */
const KILL_GIVE_UP_MS = 5_000;
/**
 * coreutils' `timeout` (on the command's process group) fires this long after the server's own kill,
 * so it only acts where the server cannot see the container's processes.
 */
const BACKSTOP_SECONDS = 1;
/** Longer commands do not go in exec's arguments, where Linux allows one string 128 KiB. */
const MAX_ARGUMENT = 64 * 1024;
/** Where a long command is put in the container for its shell, which reads it and removes it. */
const COMMAND_DIR = "/tmp";
/**
 * Runs a long command from the file in $1 as `sh -c` runs one: read whole (the "." keeps the trailing
 * newlines a command substitution drops; without it the file was not read to its end and nothing
 * runs), the file removed, and `set --` inside the eval, so the command sees no positional parameters.
 */
const FROM_FILE =
  'set -- "$(cat -- "$1" && echo .; rm -f -- "$1")"; ' +
  'case $1 in *.) ;; *) echo "terrarium: could not read the command" >&2; exit 126 ;; esac; ' +
  'eval "set --; ${1%.}"';

export async function podmanExec(
  client: PodmanClient,
  id: string,
  command: string,
  options: ExecOptions,
): Promise<ExecOutcome> {
  const container = encodeURIComponent(id);
  const shell = Buffer.byteLength(command) > MAX_ARGUMENT ? await putCommand(client, container, command) : [command];
  const Cmd = [
    "timeout",
    "--kill-after=2",
    String(options.timeoutSeconds + BACKSTOP_SECONDS),
    "/bin/sh",
    "-c",
    ...shell,
  ];
  const exec = await client.json<{ Id: string }>("POST", `/containers/${container}/exec`, {
    body: { AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false, Cmd },
  });
  const started = Date.now();
  const demuxer = new StreamDemuxer(options.outputLimit);
  const abort = new AbortController();
  const backstop = setTimeout(() => abort.abort(), options.timeoutSeconds * 1000 + EXEC_GRACE_MS);
  let ending = Promise.resolve(false);
  const deadline = setTimeout(() => {
    ending = endTree(client, exec.Id, Cmd).catch(() => false);
  }, options.timeoutSeconds * 1000);
  let streamCut = false;
  try {
    const stream = await client.stream("POST", `/exec/${exec.Id}/start`, {
      body: { Detach: false, Tty: false },
      signal: abort.signal,
    });
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (chunk: Buffer) => demuxer.push(chunk));
      stream.on("end", resolve);
      stream.on("error", reject);
    });
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    streamCut = true;
  } finally {
    clearTimeout(backstop);
    clearTimeout(deadline);
  }
  // The answer comes once what the timeout ended is gone.
  const ended = await ending;
  const stdout = encodeOutput(demuxer.out.bytes(), demuxer.out.cut, options.encoding ?? "utf8");
  const stderr = encodeOutput(demuxer.err.bytes(), demuxer.err.cut, options.encoding ?? "utf8");
  const base = {
    stdout: stdout.text,
    stderr: stderr.text,
    stdoutLossy: stdout.lossy,
    stderrLossy: stderr.lossy,
    truncated: demuxer.out.cut || demuxer.err.cut,
  };
  if (streamCut || ended) return { ...base, exitCode: null, timedOut: true };
  const info = await client.json<{ ExitCode: number }>("GET", `/exec/${exec.Id}/json`);
  const ranOutOfTime = Date.now() - started >= options.timeoutSeconds * 1000;
  if (TIMEOUT_EXIT_CODES.has(info.ExitCode) && ranOutOfTime) return { ...base, exitCode: null, timedOut: true };
  return { ...base, exitCode: info.ExitCode, timedOut: false };
}

/** Puts a long command in a file the container's user owns; answers the shell's arguments that run it. */
async function putCommand(client: PodmanClient, container: string, command: string): Promise<string[]> {
  const name = `.terrarium-command-${randomUUID()}`;
  const tar = pack();
  tar.entry({ name, mode: 0o600 }, command);
  tar.finalize();
  // Not paused: the environment keeps running while the file goes in.
  await client.send("PUT", `/containers/${container}/archive`, {
    query: { path: COMMAND_DIR, pause: false },
    upload: tar,
  });
  return [FROM_FILE, "/bin/sh", `${COMMAND_DIR}/${name}`];
}

/**
 * Kills the tree of a command whose time ran out: TERM to every process, KILL 2 s later to what is
 * left. Answers false when the exec's process cannot be seen from here (it ended meanwhile, or Podman
 * runs elsewhere: `timeout` then kills the command's process group).
 */
async function endTree(client: PodmanClient, execId: string, argv: string[]): Promise<boolean> {
  const info = await client.json<{ Pid?: number; Running: boolean }>("GET", `/exec/${execId}/json`);
  const tree = info.Running && info.Pid ? await ProcessTree.of(info.Pid, argv) : undefined;
  if (!tree) return false;
  const killAt = Date.now() + KILL_AFTER_MS;
  while ((await tree.signal(Date.now() < killAt ? "SIGTERM" : "SIGKILL")) > 0) {
    if (Date.now() > killAt + KILL_GIVE_UP_MS) break;
    await sleep(SWEEP_MS);
  }
  return true;
}
