import type { Runtime } from "../runtime/runtime.js";
import type { Store } from "../store/store.js";
import { LABELS, type SessionService } from "./sessions.js";

export interface RecoveryReport {
  reattached: string[];
  lost: string[];
  removedContainers: string[];
  removedNetworks: string[];
}

/**
 * Brings the store and Podman back in line after a start: jobs whose container still runs are
 * re-attached (with a fresh heartbeat, since clients could not reach a stopped server); jobs without
 * a running container are closed as lost; containers and networks of this instance that no open job or
 * session owns (pooled environments among them) are removed.
 */
export async function recover(
  store: Store,
  runtime: Runtime,
  sessions: SessionService,
  instanceId: string,
): Promise<RecoveryReport> {
  const report: RecoveryReport = { reattached: [], lost: [], removedContainers: [], removedNetworks: [] };
  const mine = { [LABELS.instance]: instanceId };
  const containers = await runtime.listEnvironments(mine);
  // A job's container is the one its record names (a pooled environment keeps its pool labels), or,
  // for a job whose start was not recorded yet, the one labelled with it.
  const byId = new Map(containers.map((c) => [c.id, c]));
  const byJob = new Map(containers.map((c) => [c.labels[LABELS.job], c]));
  const openJobs = store.openJobs();
  const owned = new Set<string>();
  const at = new Date().toISOString();

  for (const job of openJobs) {
    const container = (job.containerId ? byId.get(job.containerId) : undefined) ?? byJob.get(job.id);
    // A memory snapshot stops its environment at the dump and resumes it after: a server killed in
    // between leaves it stopped, with its checkpoint, and it is resumed here.
    if (container && !container.running)
      container.running = await runtime.resumeCheckpointed(container.id).catch(() => false);
    if (container?.running) {
      owned.add(container.id);
      store.updateJob(job.id, { containerId: container.id, status: "running", lastHeartbeatAt: at });
      report.reattached.push(job.id);
    } else {
      await sessions.closeLostJobs(job.sessionId, [job]);
      report.lost.push(job.id);
    }
  }
  for (const container of containers) {
    if (owned.has(container.id)) continue;
    await runtime.removeEnvironment(container.id);
    report.removedContainers.push(container.name);
  }
  for (const session of store.listSessions("active")) {
    if (store.jobsOfSession(session.id).every((j) => j.status === "closed"))
      await sessions.closeLostJobs(session.id, []);
  }
  const active = new Set(store.listSessions("active").map((s) => s.network));
  for (const network of await runtime.listNetworks(mine)) {
    if (active.has(network.name)) continue;
    await runtime.removeNetwork(network.name);
    report.removedNetworks.push(network.name);
  }
  return report;
}
