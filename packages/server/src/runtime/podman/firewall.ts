import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Every session network's bridge interface starts with this, so a few rules cover them all. */
export const SESSION_INTERFACE_PREFIX = "tr-";
const SESSIONS = `${SESSION_INTERFACE_PREFIX}+`;
/** Podman's own bridges (the default network and unnamed ones). */
const PODMAN_BRIDGES = "podman+";

interface Chain {
  name: string;
  rules: string[][];
  /** Matches of the jumps from the built-in chain into this one. */
  jumps: string[][];
  builtin: "INPUT" | "FORWARD";
}

/**
 * Environments are untrusted. Packets from session bridges to the host itself (the control plane's
 * API, any host service) are dropped, except DNS to the network's resolver (aliases) and replies to
 * connections the host opened (readiness checks, the proxy). Forwarded packets between a session
 * bridge and any other container bridge (another session, Podman's default network) are dropped too;
 * traffic inside one session's bridge passes. netavark's network isolation does the same between
 * sessions, but its rules are not reliable while networks come and go, so these do not rely on it.
 * Idempotent: safe to run at every start.
 */
export async function ensureHostFirewall(): Promise<void> {
  const established = ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"];
  await ensure("iptables", {
    name: "TERRARIUM_INPUT",
    builtin: "INPUT",
    jumps: [["-i", SESSIONS]],
    rules: [
      established,
      ["-p", "udp", "--dport", "53", "-j", "ACCEPT"],
      ["-p", "tcp", "--dport", "53", "-j", "ACCEPT"],
      ["-j", "DROP"],
    ],
  });
  await ensure("iptables", {
    name: "TERRARIUM_FORWARD",
    builtin: "FORWARD",
    jumps: [
      ["-i", SESSIONS],
      ["-o", SESSIONS],
    ],
    rules: [
      ["-m", "physdev", "--physdev-is-bridged", "-j", "RETURN"],
      ["-i", SESSIONS, "-o", SESSIONS, "-j", "DROP"],
      ["-i", SESSIONS, "-o", PODMAN_BRIDGES, "-j", "DROP"],
      ["-i", PODMAN_BRIDGES, "-o", SESSIONS, "-j", "DROP"],
    ],
  });
  // Session networks have no IPv6 addresses, but the bridge has a link-local one: close that door too.
  if (await succeeds("ip6tables", ["-w", "-S", "INPUT"])) {
    await ensure("ip6tables", {
      name: "TERRARIUM_INPUT",
      builtin: "INPUT",
      jumps: [["-i", SESSIONS]],
      rules: [established, ["-j", "DROP"]],
    });
  }
}

async function ensure(tool: string, chain: Chain): Promise<void> {
  await run(tool, ["-w", "-N", chain.name]).catch(() => undefined); // exists already
  const { stdout } = await run(tool, ["-w", "-S", chain.name]);
  const count = stdout.split("\n").filter((l) => l.startsWith(`-A ${chain.name} `)).length;
  const present = await Promise.all(chain.rules.map((rule) => succeeds(tool, ["-w", "-C", chain.name, ...rule])));
  if (count !== chain.rules.length || !present.every(Boolean)) {
    await run(tool, ["-w", "-F", chain.name]);
    for (const rule of chain.rules) await run(tool, ["-w", "-A", chain.name, ...rule]);
  }
  for (const match of chain.jumps) {
    const jump = [...match, "-j", chain.name];
    if (!(await succeeds(tool, ["-w", "-C", chain.builtin, ...jump])))
      await run(tool, ["-w", "-I", chain.builtin, ...jump]);
  }
}

function succeeds(tool: string, args: string[]): Promise<boolean> {
  return run(tool, args).then(
    () => true,
    () => false,
  );
}
