import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { setupSteps } from "@terrarium/server";
import { Env, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

// An HTTP and WebSocket echo server as a simulator (test/fixtures/simulators/echo).
const fixtures = fileURLToPath(new URL("./fixtures/simulators", import.meta.url));
const MB = 1024 * 1024;

/** A request sent to an address with any Host header, as a remote browser behind wildcard DNS would. */
function rawRequest(
  address: string,
  port: number,
  host: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, headers: { host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** This machine's first address that is not loopback: a client there is "remote" to the proxy. */
const outsideAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === "IPv4" && !i.internal)!.address;

describe("environment proxy", () => {
  let t: TestServer;
  let session: Session;
  let proxyPort: number;
  let urls: Record<string, string>;

  beforeAll(async () => {
    for (const step of setupSteps({ simulatorsDir: fixtures, simulators: ["echo"] }).slice(3))
      if (await step.check()) await step.run(() => undefined);
    proxyPort = await freePort();
    // Reachable off loopback, with a public domain: URLs carry the session's access token.
    t = await startTestServer({
      simulatorsDir: fixtures,
      proxyHost: "0.0.0.0",
      proxyPort,
      publicDomain: `localhost:${proxyPort}`,
    });
    session = await t.client.sessions.create({
      envs: [Env.simulator("echo", { alias: "a" }), Env.simulator("echo", { alias: "b" })],
    });
    urls = await session.getPublicUrl();
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  const bare = (url: string) => url.split("?")[0]!;

  it("answers per alias with the app port, or the port asked for, and the session's token", async () => {
    const a = session.getEnv("a")!;
    const host = a.jobId.replace("_", "-");
    expect(urls.a).toMatch(new RegExp(`^http://${host}\\.localhost:${proxyPort}/\\?terrarium_token=[\\w-]{32}$`));
    expect(await a.getPublicUrl({ port: 8765 })).toMatch(
      new RegExp(`^http://${host}--8765\\.localhost:${proxyPort}/\\?terrarium_token=`),
    );
    await expect(a.getPublicUrl({ port: 70000 })).rejects.toThrow(/port/);
  });

  it("sends concurrent requests to the right environment", async () => {
    const names = Object.fromEntries(
      await Promise.all(
        ["a", "b"].map(async (alias) => [alias, (await session.getEnv(alias)!.execute("hostname")).stdout.trim()]),
      ),
    ) as Record<string, string>;
    expect(names.a).not.toBe(names.b);
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const alias = i % 2 === 0 ? "a" : "b";
        const response = await fetch(new URL("/whoami", bare(urls[alias]!)));
        return [alias, await response.text()] as const;
      }),
    );
    for (const [alias, answer] of answers) expect(answer).toBe(names[alias]);
  });

  it("carries a large upload and a large download intact", async () => {
    const upload = randomBytes(40 * MB);
    const response = await fetch(new URL("/sha256", bare(urls.a!)), { method: "POST", body: upload });
    expect(await response.json()).toEqual({
      length: upload.length,
      sha256: createHash("sha256").update(upload).digest("hex"),
    });

    const n = 48 * MB;
    const download = Buffer.from(await (await fetch(new URL(`/bytes?n=${n}`, bare(urls.b!)))).arrayBuffer());
    expect(download.length).toBe(n);
    const pattern = Buffer.from(Array.from({ length: 251 }, (_, i) => i));
    const expected = Buffer.alloc(n);
    for (let i = 0; i < n; i += 251) pattern.copy(expected, i);
    expect(download.equals(expected)).toBe(true);
  });

  it("keeps the browser's Host, so the app's redirects come back through the proxy", async () => {
    const response = await fetch(new URL("/redirect", bare(urls.a!)), { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(new URL("/whoami", bare(urls.a!)).toString());
    const headers = (await (await fetch(new URL("/headers", bare(urls.a!)))).json()) as Record<string, string>;
    expect(headers).toMatchObject({ "x-forwarded-proto": "http", host: new URL(urls.a!).host });
  });

  it("carries a WebSocket echo, text and binary", async () => {
    const url = bare(await session.getEnv("b")!.getPublicUrl({ port: 8765 })).replace(/^http/, "ws");
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const echoed = (data: string | Buffer) =>
      new Promise<Buffer>((resolve) => {
        socket.once("message", (message: Buffer) => resolve(message));
        socket.send(data);
      });
    expect((await echoed("hello through the proxy")).toString()).toBe("hello through the proxy");
    const binary = randomBytes(2 * MB);
    expect((await echoed(binary)).equals(binary)).toBe(true);
    socket.close();
  });

  it("answers 404 for unknown jobs and foreign hosts, and refuses remote clients without the token", async () => {
    const unknown = await fetch(`http://j-000000000000.localhost:${proxyPort}/`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("There is no job j_000000000000.");
    const foreign = await rawRequest("127.0.0.1", proxyPort, "example.com", "/");
    expect(foreign.status).toBe(404);
    expect(foreign.body).toContain("Not an environment address");

    const outside = outsideAddress();
    const host = new URL(urls.a!).host;
    const refused = await rawRequest(outside, proxyPort, host, "/whoami");
    expect(refused.status).toBe(401);
    expect(refused.body).toContain("Access token required");
    const wrong = await rawRequest(outside, proxyPort, host, "/whoami?terrarium_token=forged");
    expect(wrong.status).toBe(401);
    // Another session's token does not open this one.
    const token = new URL(urls.a!).searchParams.get("terrarium_token")!;
    const other = await t.client.sessions.create({ envs: [Env.simulator("echo", { alias: "c" })] });
    try {
      const otherHost = new URL((await other.getPublicUrl()).c!).host;
      expect((await rawRequest(outside, proxyPort, otherHost, `/whoami?terrarium_token=${token}`)).status).toBe(401);
    } finally {
      await other.close();
    }

    // The token in the URL is traded for a cookie, which then opens the environment.
    const traded = await rawRequest(outside, proxyPort, host, `/whoami?terrarium_token=${token}`);
    expect(traded.status).toBe(302);
    expect(traded.headers.location).toBe("/whoami");
    const cookie = String(traded.headers["set-cookie"]).split(";")[0]!;
    const admitted = await rawRequest(outside, proxyPort, host, "/whoami", { cookie: `${cookie}; app=1` });
    expect(admitted.status).toBe(200);
    // The app never sees the proxy's cookie; its own cookies pass.
    const seen = await rawRequest(outside, proxyPort, host, "/headers", { cookie: `${cookie}; app=1` });
    expect(JSON.parse(seen.body)).toMatchObject({ cookie: "app=1" });
  });

  it("routes odd request targets as paths, never crashes on them, and never redirects off the environment", async () => {
    const host = new URL(urls.a!).host;
    // `//` once made URL parsing throw outside any handler, and the whole server exited.
    const slashes = await rawRequest("127.0.0.1", proxyPort, host, "//");
    expect(slashes.status).toBeLessThan(500);
    expect((await rawRequest("127.0.0.1", proxyPort, host, "/whoami")).status).toBe(200);
    // A token traded for a cookie redirects to the same path on this host, not to //evil.example/.
    const token = new URL(urls.a!).searchParams.get("terrarium_token")!;
    const traded = await rawRequest(outsideAddress(), proxyPort, host, `//evil.example/x?terrarium_token=${token}`);
    expect(traded.status).toBe(302);
    expect(traded.headers.location).toBe("/evil.example/x");
  });

  it("answers 503 while nothing listens on the port asked for", async () => {
    const url = bare(await session.getEnv("a")!.getPublicUrl({ port: 9999 }));
    const response = await fetch(url);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.text()).toContain("Nothing listens on that port");
  });

  it("answers 404 once an environment is closed", async () => {
    const url = bare(urls.b!);
    await session.getEnv("b")!.close();
    const response = await fetch(new URL("/whoami", url));
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/is closed/);
  });
});
