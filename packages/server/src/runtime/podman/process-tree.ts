import { readdir, readFile } from "node:fs/promises";

/**
 * The processes a `podman exec` started, seen from the host's /proc: the server runs beside Podman,
 * as the driver's nsenter calls assume. Each is known by pid and start time, so a pid the kernel gives
 * out again is never taken for one of them.
 */
interface HostProcess {
  ppid: number;
  /** Clock ticks after boot; with the pid, it names one process. */
  start: string;
  zombie: boolean;
}

/** A process's fields from `/proc/PID/stat`, after its name (which may hold spaces and parentheses). */
export function parseStat(stat: string): HostProcess | undefined {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ppid = Number(fields[1]);
  if (!fields[19] || !Number.isInteger(ppid)) return undefined;
  return { ppid, start: fields[19], zombie: fields[0] === "Z" };
}

async function hostProcesses(): Promise<Map<number, HostProcess>> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const table = new Map<number, HostProcess>();
  await Promise.all(
    pids.map(async (pid) => {
      const process = parseStat(await readFile(`/proc/${pid}/stat`, "utf8").catch(() => ""));
      if (process) table.set(Number(pid), process);
    }),
  );
  return table;
}

/**
 * The tree under one process, followed across what breaks its parent links: a process of it that lost
 * its parent (adopted by the container's init) stays a member, and so do its children.
 */
export class ProcessTree {
  /** pid => start time, of every process seen in the tree. */
  private readonly members = new Map<number, string>();
  private readonly sent = new Map<number, Set<NodeJS.Signals>>();

  private constructor(private readonly root: number) {}

  /** The tree under `root`, or undefined when the host shows no such process with that command line. */
  static async of(root: number, argv: string[]): Promise<ProcessTree | undefined> {
    const cmdline = await readFile(`/proc/${root}/cmdline`, "utf8").catch(() => undefined);
    return cmdline === `${argv.join("\0")}\0` ? new ProcessTree(root) : undefined;
  }

  /**
   * Looks for the tree's processes again and sends `signal` to each that has not had it; answers how
   * many are still alive.
   */
  async signal(signal: NodeJS.Signals): Promise<number> {
    const table = await hostProcesses();
    if (this.members.size === 0 && table.has(this.root)) this.members.set(this.root, table.get(this.root)!.start);
    for (const [pid, start] of this.members) if (table.get(pid)?.start !== start) this.members.delete(pid);
    const children = new Map<number, number[]>();
    for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
    const queue = [...this.members.keys()];
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      for (const child of children.get(pid) ?? []) {
        if (this.members.has(child)) continue;
        this.members.set(child, table.get(child)!.start);
        queue.push(child);
      }
    }
    let alive = 0;
    for (const pid of this.members.keys()) {
      if (table.get(pid)!.zombie) continue;
      alive++;
      const sent = this.sent.get(pid) ?? new Set();
      if (sent.has(signal)) continue;
      sent.add(signal);
      this.sent.set(pid, sent);
      try {
        process.kill(pid, signal);
      } catch {
        // gone since the look
      }
    }
    return alive;
  }
}
