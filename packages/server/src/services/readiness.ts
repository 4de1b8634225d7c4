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
      const url = `http://${info.address}:${check.http.port}${check.http.path}`;
      try {
        const response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === check.http.status) return { ready: true };
        last = `GET ${check.http.path} on port ${check.http.port} answered ${response.status}, expected ${check.http.status}`;
      } catch (error) {
        last = `GET ${check.http.path} on port ${check.http.port} failed: ${(error as Error).cause ?? (error as Error).message}`;
      }
    }
    if (Date.now() >= deadline) return { ready: false, error: `not ready in time: ${last}` };
    await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  }
}
