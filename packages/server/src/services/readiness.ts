import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { SimulatorManifest } from "@terrarium/wire";
import type { Runtime } from "../runtime/runtime.js";

export type ReadinessOutcome = { ready: true } | { ready: false; error: string };

/**
 * Polls an environment's readiness check (an HTTP GET from the host to its address on the session
 * network, following redirects) until it answers the expected status or `deadline` passes.
 */
export async function waitUntilReady(
  runtime: Runtime,
  containerId: string,
  check: SimulatorManifest["readiness"],
  deadline: number,
): Promise<ReadinessOutcome> {
  let last = "no answer yet";
  for (;;) {
    const info = await runtime.inspectEnvironment(containerId);
    if (!info) return { ready: false, error: "the environment's container is gone" };
    if (!info.running) return { ready: false, error: "the environment's container exited" };
    if (info.address) {
      const problem = check.http
        ? await httpProblem(info.address, check.http)
        : await tcpProblem(info.address, check.tcp!.port);
      if (!problem) return { ready: true };
      last = problem;
    }
    if (Date.now() >= deadline) return { ready: false, error: `not ready in time: ${last}` };
    await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  }
}

/** Why the HTTP check did not pass yet, or undefined when it passed. */
async function httpProblem(
  address: string,
  http: NonNullable<SimulatorManifest["readiness"]["http"]>,
): Promise<string | undefined> {
  try {
    const response = await fetch(`http://${address}:${http.port}${http.path}`, {
      redirect: "follow",
      signal: AbortSignal.timeout(2000),
    });
    await response.arrayBuffer();
    if (response.status === http.status) return undefined;
    return `GET ${http.path} on port ${http.port} answered ${response.status}, expected ${http.status}`;
  } catch (error) {
    return `GET ${http.path} on port ${http.port} failed: ${String((error as Error).cause ?? (error as Error).message)}`;
  }
}

function tcpProblem(address: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(`port ${port} did not accept a connection in time`);
    });
    socket.once("error", (error) => resolve(`port ${port}: ${error.message}`));
  });
}
