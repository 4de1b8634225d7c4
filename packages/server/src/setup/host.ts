import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { runCommand } from "./command.js";
import type { SetupStep } from "./step.js";

/** What Podman, its networking, the base-image build and browser login (Chromium) need from Debian. */
export const HOST_PACKAGES = [
  "podman",
  "runc",
  "netavark",
  "aardvark-dns",
  "catatonit",
  "debootstrap",
  "uidmap",
  "slirp4netns",
  "fuse-overlayfs",
  "iptables",
  "iproute2", // ss: closes an environment's TCP connections before a memory snapshot
  "ca-certificates",
  "chromium", // driven by playwright-core: browser downloads do not work on such hosts
  "libnss-myhostname", // *.localhost resolves to loopback for every program, as it does in browsers
];

export const PODMAN_DROP_IN = "/etc/containers/containers.conf.d/50-terrarium.conf";
/** Podman raises these limits in every container unless told otherwise. */
const PODMAN_DEFAULT_LIMIT = 1_048_576;

const isRoot = () => process.getuid?.() === 0;

async function installedPackages(packages: string[]): Promise<Set<string>> {
  const output = await runCommand("dpkg-query", ["-W", "-f", "${Package} ${db:Status-Status}\\n", ...packages]).catch(
    (error: Error) => error.message,
  );
  return new Set(
    output
      .split("\n")
      .filter((l) => l.endsWith(" installed"))
      .map((l) => l.split(" ")[0]!),
  );
}

/**
 * Docker's containerd.io ships its own runc and conflicts with Debian's: installing Debian's would
 * remove Docker's containerd, so Podman uses the one containerd.io provides.
 */
const RUNC_PROVIDERS = ["containerd.io"];

export async function missingPackages(packages = HOST_PACKAGES): Promise<string[]> {
  const installed = await installedPackages([...packages, ...RUNC_PROVIDERS]);
  const runcProvided = RUNC_PROVIDERS.some((p) => installed.has(p));
  return packages.filter((p) => !installed.has(p) && !(p === "runc" && runcProvided));
}

export const packagesStep: SetupStep = {
  title: "Debian packages (podman, runc, debootstrap, chromium...)",
  async check() {
    const missing = await missingPackages();
    return missing.length > 0 ? `missing: ${missing.join(", ")}` : undefined;
  },
  async run(report) {
    const missing = await missingPackages();
    if (!isRoot()) {
      throw new Error(
        `installing packages needs root: run \`terrarium setup\` as root, or \`apt-get install -y ${missing.join(" ")}\``,
      );
    }
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    report("apt-get update");
    await runCommand("apt-get", ["update", "-q"], { env, onLine: (l) => report(l) });
    let done = 0;
    await runCommand("apt-get", ["install", "-y", "-q", ...missing], {
      env,
      onLine: (line) => {
        if (line.startsWith("Setting up")) done++;
        report(line, Math.min(0.99, done / Math.max(missing.length * 4, 1)));
      },
    });
  },
};

/** The keys this host needs in containers.conf, derived from its limits and cgroup layout. */
export async function podmanSettings(): Promise<string> {
  const hard = async (flag: string) => {
    const out = (await runCommand("bash", ["-c", `ulimit -H${flag}`])).trim();
    return out === "unlimited" ? Infinity : Number(out);
  };
  const containers: string[] = [];
  const engine: string[] = [];
  const [nofile, nproc] = await Promise.all([hard("n"), hard("u")]);
  if (nofile < PODMAN_DEFAULT_LIMIT || nproc < PODMAN_DEFAULT_LIMIT) {
    // Raising a limit above the host's hard limit needs CAP_SYS_RESOURCE, which this host lacks.
    const files = Math.min(nofile, PODMAN_DEFAULT_LIMIT);
    const processes = Math.min(nproc, 32_768);
    containers.push(`default_ulimits = ["nofile=${files}:${files}", "nproc=${processes}:${processes}"]`);
  }
  const hybridCgroups = existsSync("/sys/fs/cgroup/unified") || !existsSync("/sys/fs/cgroup/cgroup.controllers");
  if (hybridCgroups) engine.push(`runtime = "runc"`); // crun rejects cgroup v1 / hybrid layouts
  // Each API exec keeps a conmon pair alive for this long; the default 300 s piles them up.
  engine.push("exit_command_delay = 5");
  const lines = ["# Written by `terrarium setup`: only what this host needs. Delete to undo."];
  if (containers.length) lines.push("[containers]", ...containers);
  lines.push("[engine]", ...engine);
  return `${lines.join("\n")}\n`;
}

export const podmanSettingsStep: SetupStep = {
  title: `Podman settings (${PODMAN_DROP_IN})`,
  async check() {
    const wanted = await podmanSettings();
    const current = existsSync(PODMAN_DROP_IN) ? readFileSync(PODMAN_DROP_IN, "utf8") : undefined;
    if (current === wanted) return undefined;
    return current === undefined ? "not written yet" : "out of date";
  },
  async run(report) {
    if (!isRoot()) throw new Error(`writing ${PODMAN_DROP_IN} needs root: run \`terrarium setup\` as root`);
    const wanted = await podmanSettings();
    mkdirSync(dirname(PODMAN_DROP_IN), { recursive: true });
    writeFileSync(PODMAN_DROP_IN, wanted);
    report(`wrote ${PODMAN_DROP_IN}`);
  },
};
