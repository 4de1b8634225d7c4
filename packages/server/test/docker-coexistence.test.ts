import { describe, expect, it } from "vitest";
import { forwardRulesNeeded, parseForwardTable } from "../src/setup/docker.js";

// `iptables -S` as Docker's daemon leaves it (FORWARD DROP, its chains) and as netavark leaves it.
const dockerLegacy = `-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N DOCKER
-N DOCKER-FORWARD
-N DOCKER-USER
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A DOCKER-USER -j RETURN
`;
const podmanNft = `-P INPUT ACCEPT
-P FORWARD ACCEPT
-P OUTPUT ACCEPT
-N NETAVARK_FORWARD
-N TERRARIUM_FORWARD
-A FORWARD -m comment --comment "netavark firewall plugin rules" -j NETAVARK_FORWARD
`;
const both = `${dockerLegacy}-N NETAVARK_FORWARD
`;

describe("Docker beside Podman", () => {
  it("reads the FORWARD policy, the chains and DOCKER-USER's rules", () => {
    expect(parseForwardTable("iptables-legacy", dockerLegacy)).toEqual({
      backend: "iptables-legacy",
      policy: "DROP",
      chains: ["DOCKER", "DOCKER-FORWARD", "DOCKER-USER"],
      dockerUser: ["-A DOCKER-USER -j RETURN"],
    });
  });

  it("lets Podman's bridges through DOCKER-USER where Docker drops and netavark has no rules", () => {
    const needed = forwardRulesNeeded([
      parseForwardTable("iptables-legacy", dockerLegacy),
      parseForwardTable("iptables-nft", podmanNft),
    ]);
    expect(needed).toEqual([
      {
        backend: "iptables-legacy",
        rules: [
          ["-i", "podman+", "-j", "ACCEPT"],
          ["-o", "podman+", "-j", "ACCEPT"],
          ["-i", "tr-+", "-j", "ACCEPT"],
          ["-o", "tr-+", "-j", "ACCEPT"],
        ],
      },
    ]);
  });

  it("adds nothing in netavark's own backend (an ACCEPT there would skip its isolation), without Docker, or twice", () => {
    expect(forwardRulesNeeded([parseForwardTable("iptables-nft", both)])).toEqual([]);
    expect(forwardRulesNeeded([parseForwardTable("iptables-nft", podmanNft)])).toEqual([]);
    const done = `${dockerLegacy}-A DOCKER-USER -i podman+ -j ACCEPT
-A DOCKER-USER -o podman+ -j ACCEPT
-A DOCKER-USER -i tr-+ -j ACCEPT
-A DOCKER-USER -o tr-+ -j ACCEPT
`;
    expect(forwardRulesNeeded([parseForwardTable("iptables-legacy", done)])).toEqual([]);
  });
});
