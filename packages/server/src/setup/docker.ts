import { existsSync } from "node:fs";
import { runCommand } from "./command.js";
import type { SetupStep } from "./step.js";

/**
 * A Docker engine beside Podman. Docker's client alone changes nothing; its daemon does: it sets the
 * FORWARD policy of its iptables backend to DROP. Where that backend is the one netavark writes to,
 * netavark's own ACCEPT rules let Podman's bridges through. Where it is the other one (Docker on
 * iptables-legacy, Podman on nftables, or the reverse), both rule sets see every packet and Docker's
 * DROP silently cuts every container off (image builds cannot reach the Debian mirror). Docker's
 * DOCKER-USER chain is the documented place for a host's own rules, so Podman's bridges are let
 * through there, and only in a backend that holds no netavark rules (in netavark's own backend an
 * ACCEPT would skip its isolation rules).
 */

/** What one iptables backend (legacy or nft) holds, as far as this step cares. */
export interface ForwardTable {
  backend: string;
  policy: string;
  chains: string[];
  /** The rules of DOCKER-USER, as `iptables -S` prints them. */
  dockerUser: string[];
}

/** Podman's bridges: its own (`podman0`...) and Terrarium's session networks (`tr-...`). */
const BRIDGES = ["podman+", "tr-+"];

/** The rules each backend needs in DOCKER-USER for Podman's bridges to be forwarded; empty: none. */
export function forwardRulesNeeded(tables: ForwardTable[]): { backend: string; rules: string[][] }[] {
  return tables.flatMap((table) => {
    if (table.policy !== "DROP" || !table.chains.includes("DOCKER-USER")) return [];
    if (table.chains.some((c) => c.startsWith("NETAVARK"))) return [];
    const rules = BRIDGES.flatMap((bridge) => [
      ["-i", bridge, "-j", "ACCEPT"],
      ["-o", bridge, "-j", "ACCEPT"],
    ]).filter((rule) => !table.dockerUser.includes(`-A DOCKER-USER ${rule.join(" ")}`));
    return rules.length ? [{ backend: table.backend, rules }] : [];
  });
}

/** Parses `iptables -S` of the filter table. */
export function parseForwardTable(backend: string, listing: string): ForwardTable {
  const lines = listing.split("\n").map((l) => l.trim());
  const policy = /^-P FORWARD (\w+)/m.exec(listing)?.[1] ?? "ACCEPT";
  const chains = lines.filter((l) => l.startsWith("-N ")).map((l) => l.slice(3));
  return { backend, policy, chains, dockerUser: lines.filter((l) => l.startsWith("-A DOCKER-USER ")) };
}

const BACKENDS = ["iptables-legacy", "iptables-nft"];

async function forwardTables(): Promise<ForwardTable[]> {
  const tables: ForwardTable[] = [];
  const legacyLoaded = existsSync("/proc/net/ip_tables_names");
  for (const backend of BACKENDS) {
    if (backend === "iptables-legacy" && !legacyLoaded) continue;
    const listing = await runCommand(backend, ["-w", "-S"]).catch(() => undefined);
    if (listing !== undefined) tables.push(parseForwardTable(backend, listing));
  }
  return tables;
}

/**
 * Read from the tables, not from whether dockerd runs: its DROP policy stays after it stops. Only
 * backends that have tables are read (listing legacy iptables on a host that never used them would
 * load its kernel module for nothing).
 */
export const dockerStep: SetupStep = {
  title: "Docker engine beside Podman (forwarding for Podman's bridges)",
  async check() {
    const needed = forwardRulesNeeded(await forwardTables());
    return needed.length
      ? `Docker's FORWARD policy DROP in ${needed.map((n) => n.backend).join(", ")} would cut Podman's bridges off`
      : undefined;
  },
  async run(report) {
    for (const { backend, rules } of forwardRulesNeeded(await forwardTables())) {
      for (const rule of rules) {
        await runCommand(backend, ["-w", "-I", "DOCKER-USER", ...rule]);
        report(`${backend} -I DOCKER-USER ${rule.join(" ")}`);
      }
    }
  },
};
