import { execFile } from "node:child_process";
import { networkInterfaces } from "node:os";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type Environment, type Session } from "@terrarium/sdk";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const API_KEY = "network-test-key";

/** Tries a TCP connection from inside an environment; answers "open" or "closed". */
async function probe(env: Environment, host: string, port: number): Promise<string> {
  const result = await env.execute(
    `timeout 4 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo open || echo closed`,
    { timeout: 10 },
  );
  return result.stdout.trim();
}

const hostAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)?.address;

async function gatewayOf(sessionId: string): Promise<string> {
  const { stdout } = await run("podman", [
    "network",
    "inspect",
    "-f",
    "{{range .Subnets}}{{.Gateway}}{{end}}",
    `terrarium-${sessionId}`,
  ]);
  return stdout.trim();
}

describe("session networks", () => {
  let t: TestServer;
  let first: Session;
  let second: Session;
  let port: number;

  beforeAll(async () => {
    // Listening on every interface, as a remote deployment would, so the API is a real target.
    t = await startTestServer({ host: "0.0.0.0", apiKeys: [API_KEY] });
    port = Number(new URL(t.server.url).port);
    [first, second] = await Promise.all([
      t.client.sessions.create({
        envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("fossil", { alias: "mirror" })],
      }),
      t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "stranger" })] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
    await t?.stop();
  });

  it("lets environments of one session reach each other by alias", async () => {
    expect(await probe(first.getEnv("forge")!, "mirror", 8080)).toBe("open");
    expect(await probe(first.getEnv("mirror")!, "forge", 8080)).toBe("open");
    const page = await first
      .getEnv("forge")!
      .execute(
        "bash -c 'exec 3<>/dev/tcp/mirror/8080; printf \"GET /timeline HTTP/1.0\\r\\nHost: mirror\\r\\n\\r\\n\" >&3; head -1 <&3'",
      );
    expect(page.stdout).toMatch(/200/);
  });

  it("keeps another session's environment out of reach, by address and by alias", async () => {
    const strangerIp = await environmentAddress(second.getEnv("stranger")!.jobId);
    expect(strangerIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await probe(second.getEnv("stranger")!, "127.0.0.1", 8080)).toBe("open"); // it does listen
    expect(await probe(first.getEnv("forge")!, strangerIp, 8080)).toBe("closed");
    expect(await probe(first.getEnv("forge")!, "stranger", 8080)).toBe("closed");
    expect(await probe(second.getEnv("stranger")!, await environmentAddress(first.getEnv("forge")!.jobId), 8080)).toBe(
      "closed",
    );
  });

  it("keeps environments away from the server's API port and its environment proxy", async () => {
    const host = hostAddress();
    expect(host).toBeDefined();
    // From the host the API answers on that address...
    const health = await fetch(`http://${host}:${port}/healthz`);
    expect(health.status).toBe(200);
    // ...but not from inside an environment, neither through the host's address nor the gateway's.
    const env = first.getEnv("forge")!;
    expect(await probe(env, host!, port)).toBe("closed");
    expect(await probe(env, await gatewayOf(first.sessionId), port)).toBe("closed");
    // The proxy listens on every interface too (it follows the API's host), and is out of reach alike:
    // an environment must not reach other sessions' environments through it.
    const proxyPort = t.server.proxy.port;
    expect((await fetch(`http://${host}:${proxyPort}/`)).status).toBe(404);
    expect(await probe(env, host!, proxyPort)).toBe("closed");
    expect(await probe(env, await gatewayOf(first.sessionId), proxyPort)).toBe("closed");
  });
});
