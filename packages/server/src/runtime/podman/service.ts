import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PodmanClient } from "./client.js";
import { criuSearchPath } from "./criu.js";
import { PodmanRuntime } from "./driver.js";

const START_TIMEOUT_MS = 20_000;

export interface PodmanConnection {
  /** A socket of a Podman API service somebody else runs; when absent the server starts its own. */
  socketPath?: string;
  /** Where the server's own service listens, and where it logs. */
  ownSocketPath: string;
  logPath: string;
  /** Start environments with the exec agent where their image allows it (default: yes). */
  execAgent?: boolean;
  /** The `criu` binary for memory snapshots: its folder goes first in the PATH of the service started. */
  criu?: string;
}

/** Connects to Podman's API, starting `podman system service` first when no socket is given. */
export async function connectPodman(connection: PodmanConnection): Promise<PodmanRuntime> {
  if (connection.socketPath) {
    const client = new PodmanClient(connection.socketPath);
    await waitForApi(client, () => undefined);
    return new PodmanRuntime(client, undefined, connection.execAgent, connection.criu);
  }
  const socketPath = connection.ownSocketPath;
  const pidFile = join(dirname(socketPath), "podman.pid");
  mkdirSync(dirname(socketPath), { recursive: true });
  mkdirSync(dirname(connection.logPath), { recursive: true });
  await stopLeftover(pidFile, socketPath);
  rmSync(socketPath, { force: true });
  const log = openSync(connection.logPath, "a");
  // In a process group of its own, so a Ctrl-C in the terminal (SIGINT to the whole foreground group)
  // reaches only the server, which still needs the service to remove its pool and scratch
  // environments; and with a parent-death signal (setpriv, util-linux), so it never outlives the
  // server, even one killed with SIGKILL.
  const args = ["--pdeathsig", "SIGTERM", "--", "podman", "system", "service", "--time=0", `unix://${socketPath}`];
  const child = spawn("setpriv", args, {
    detached: true,
    stdio: ["ignore", log, log],
    // runc runs the first `criu` in this PATH: the one `terrarium setup` builds, not Debian's.
    env: {
      ...process.env,
      PATH: connection.criu ? `${dirname(connection.criu)}:${criuSearchPath()}` : criuSearchPath(),
    },
  });
  closeSync(log);
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  // A server that dies takes its Podman service along (a kill -9 is handled by the next start).
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  let exited: string | undefined;
  child.on(
    "exit",
    (code, signal) => (exited = `podman system service exited (${signal ?? code}); see ${connection.logPath}`),
  );
  child.on("error", (error) => (exited = `cannot run podman: ${error.message}; run \`terrarium setup\` to install it`));
  const client = new PodmanClient(socketPath);
  try {
    await waitForApi(client, () => exited);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const stop = async () => {
    process.off("exit", killOnExit);
    rmSync(pidFile, { force: true });
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([gone, sleep(5000).then(() => child.kill("SIGKILL"))]);
    rmSync(socketPath, { force: true });
  };
  return new PodmanRuntime(client, stop, connection.execAgent, connection.criu);
}

/** Stops a Podman service an earlier run of this server left behind (after a kill -9). */
async function stopLeftover(pidFile: string, socketPath: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  rmSync(pidFile, { force: true });
  const ours = () => {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return command.includes("service") && command.some((part) => part.endsWith(socketPath));
    } catch {
      return false; // gone
    }
  };
  if (!ours()) return;
  process.kill(pid, "SIGTERM");
  for (let waited = 0; waited < 5000 && ours(); waited += 100) await sleep(100);
  if (ours()) process.kill(pid, "SIGKILL");
}

async function waitForApi(client: PodmanClient, failure: () => string | undefined): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    const reason = failure();
    if (reason) throw new Error(reason);
    try {
      await client.json("GET", "/version");
      return;
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  throw new Error(
    `Podman's API at ${client.socketPath} did not answer within ${START_TIMEOUT_MS / 1000} s: ${String(last)}`,
  );
}
