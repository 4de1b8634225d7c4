import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Every session network's bridge interface starts with this, so one firewall rule covers them all. */
export const SESSION_INTERFACE_PREFIX = "tr-";
const CHAIN = "TERRARIUM_INPUT";

/**
 * Environments are untrusted: packets from session bridges to the host itself (the control plane's API,
 * any host service) are dropped, except DNS to the network's resolver (aliases) and replies to
 * connections the host opened (readiness checks, the proxy). Traffic between sessions is dropped by
 * netavark's network isolation. Idempotent: safe to run at every start.
 */
export async function ensureHostFirewall(): Promise<void> {
  const match = ["-i", `${SESSION_INTERFACE_PREFIX}+`];
  await ensureChain("iptables", [
    ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ["-p", "udp", "--dport", "53", "-j", "ACCEPT"],
    ["-p", "tcp", "--dport", "53", "-j", "ACCEPT"],
    ["-j", "DROP"],
  ]);
  await ensureJump("iptables", match);
  // Session networks have no IPv6 addresses, but the bridge has a link-local one: close that door too.
  if (await available("ip6tables")) {
    await ensureChain("ip6tables", [
      ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
      ["-j", "DROP"],
    ]);
    await ensureJump("ip6tables", match);
  }
}

async function ensureChain(tool: string, rules: string[][]): Promise<void> {
  await run(tool, ["-w", "-N", CHAIN]).catch(() => undefined); // exists already
  const { stdout } = await run(tool, ["-w", "-S", CHAIN]);
  const count = stdout.split("\n").filter((l) => l.startsWith(`-A ${CHAIN}`)).length;
  const allPresent = await Promise.all(rules.map((rule) => succeeds(tool, ["-w", "-C", CHAIN, ...rule])));
  if (count === rules.length && allPresent.every(Boolean)) return;
  await run(tool, ["-w", "-F", CHAIN]);
  for (const rule of rules) await run(tool, ["-w", "-A", CHAIN, ...rule]);
}

async function ensureJump(tool: string, match: string[]): Promise<void> {
  const jump = [...match, "-j", CHAIN];
  if (!(await succeeds(tool, ["-w", "-C", "INPUT", ...jump]))) await run(tool, ["-w", "-I", "INPUT", ...jump]);
}

function available(tool: string): Promise<boolean> {
  return succeeds(tool, ["-w", "-S", "INPUT"]);
}

function succeeds(tool: string, args: string[]): Promise<boolean> {
  return run(tool, args).then(
    () => true,
    () => false,
  );
}
