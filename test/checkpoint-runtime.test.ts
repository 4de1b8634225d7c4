import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPodman, loadSimulators, simulatorImageStep, type Runtime } from "@terrarium/server";
import { waitFor } from "./helpers.js";

// Memory checkpoints through the Podman runtime itself, on real containers: CRIU dumps a running
// environment into an archive, and restores it as new environments on other networks.
const run = promisify(execFile);
const fixtures = fileURLToPath(new URL("./fixtures/simulators", import.meta.url));
const ECHO = "localhost/terrarium/echo:latest";
const MEDIAWIKI = "localhost/terrarium/mediawiki:latest";
const MB = 1024 * 1024;

// A process whose only state is in memory: each connection to 127.0.0.1:9000 gets the next number.
const COUNTER = `import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 9000))
s.listen(8)
n = 0
while True:
    c, _ = s.accept()
    n += 1
    c.sendall(str(n).encode())
    c.close()
`;
const NEXT = `python3 -c 'import socket; print(socket.create_connection(("127.0.0.1", 9000)).recv(64).decode())'`;

/** The status of a GET on a fresh connection (none stays open: CRIU cannot keep them). */
const httpStatus = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    }).on("error", reject);
  });

/** Networks and aliases of a container, as Podman itself reports them. */
async function networksOf(name: string): Promise<Record<string, { Aliases: string[] | null; IPAddress: string }>> {
  const { stdout } = await run("podman", ["inspect", "--format", "{{json .NetworkSettings.Networks}}", name]);
  return JSON.parse(stdout) as Record<string, { Aliases: string[] | null; IPAddress: string }>;
}

const containerExists = (name: string) =>
  run("podman", ["container", "exists", name]).then(
    () => true,
    () => false,
  );

describe("memory checkpoints in the Podman runtime", () => {
  let runtime: Runtime;
  let support: { supported: true } | { supported: false; reason: string };
  const id = randomBytes(3).toString("hex");
  const prefix = `criutest-${id}`;
  const labels = { "io.terrarium.test": prefix };
  const dir = mkdtempSync(join(tmpdir(), "criutest-"));
  const names: string[] = [];
  const networks: string[] = [];

  const network = async (suffix: string) => {
    const name = `${prefix}-${suffix}`;
    await runtime.createNetwork(name, labels);
    networks.push(name);
    return name;
  };
  const spec = (suffix: string, net: string, alias: string, image = ECHO) => {
    const name = `${prefix}-${suffix}`;
    names.push(name);
    return { name, image, network: net, alias, cpus: 1, memoryBytes: 768 * MB, labels: { ...labels, clone: suffix } };
  };
  const sh = async (container: string, command: string) => {
    const out = await runtime.exec(container, command, { timeoutSeconds: 60, outputLimit: 1 << 20 });
    if (out.exitCode !== 0) throw new Error(`\`${command}\` exited ${out.exitCode}: ${out.stderr}`);
    return out.stdout.trim();
  };
  const next = async (container: string) => Number(await sh(container, NEXT));
  /** An echo environment with the counter running in it. */
  const counterEnvironment = async (suffix: string, net: string) => {
    const env = await runtime.startEnvironment(spec(suffix, net, "echo"));
    const script = Buffer.from(COUNTER).toString("base64");
    await sh(env, `echo ${script} | base64 -d > /tmp/counter.py`);
    await sh(env, "setsid python3 /tmp/counter.py </dev/null >/dev/null 2>&1 &");
    await waitFor(() => next(env).catch(() => undefined), 20_000, "the counter to listen");
    return env;
  };

  beforeAll(async () => {
    const echo = loadSimulators(fixtures).get("echo")!;
    const step = simulatorImageStep(echo);
    if (await step.check()) await step.run(() => undefined);
    // The runtime as the server makes it: its own Podman service, whose PATH finds setup's CRIU.
    runtime = await connectPodman({ ownSocketPath: join(dir, "run", "podman.sock"), logPath: join(dir, "podman.log") });
    support = await runtime.checkpointSupport();
  });

  afterAll(async () => {
    if (runtime) {
      for (const name of names) await runtime.removeEnvironment(name);
      for (const name of networks) await runtime.removeNetwork(name);
      await runtime.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers whether memory checkpoints work here, and why not", () => {
    if (!support.supported) expect(support.reason).toMatch(/terrarium setup|runc|Podman/);
    else expect(support).toEqual({ supported: true });
  });

  it("restores one checkpoint as two clones on new networks, each going on from the snapshot's memory", async (ctx) => {
    if (!support.supported) ctx.skip(`memory checkpoints unavailable: ${support.reason}`);
    const original = await counterEnvironment("original", await network("a"));
    expect([await next(original), await next(original)]).toEqual([2, 3]); // 1 went to the readiness probe

    // An established TCP connection cannot go into a checkpoint: the runtime closes it (the client sees
    // the connection end) and the checkpoint goes through.
    const address = (await runtime.inspectEnvironment(original))!.address!;
    // From the host, over the network's bridge: tried again while the bridge's route comes up (a refused
    // connect is all a fresh network says then).
    const socket = await waitFor(
      () =>
        new Promise<Socket | undefined>((resolve) => {
          const attempt = connect(8000, address);
          attempt.once("connect", () => resolve(attempt));
          attempt.once("error", () => resolve(undefined));
        }),
      20_000,
      `a TCP connection from the host to ${address}:8000`,
    );
    socket.write("GET /whoami HTTP/1.1\r\nHost: echo\r\n\r\n"); // kept alive after the answer
    await new Promise((resolve, reject) => socket.once("data", resolve).once("error", reject));
    const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => undefined);
    await runtime.checkpoint(original, join(dir, "with-connection.tar.zst"));
    await ended;
    expect(await next(original)).toBe(4);

    const archive = join(dir, "counter.tar.zst");
    await runtime.checkpoint(original, archive);
    expect(statSync(archive).size).toBeGreaterThan(0);
    expect(await next(original)).toBe(5); // the original keeps running

    const [netB, netC] = [await network("b"), await network("c")];
    const cloneB = await runtime.restore(archive, spec("clone-b", netB, "echo"));
    const cloneC = await runtime.restore(archive, spec("clone-c", netC, "echo"));
    expect(new Set([original, cloneB, cloneC]).size).toBe(3);

    // Both go on from the snapshot (4 was the last number handed out), then apart.
    expect(await next(cloneB)).toBe(5);
    expect(await next(cloneB)).toBe(6);
    expect(await next(cloneC)).toBe(5);
    expect(await next(original)).toBe(6);
    expect(await next(cloneC)).toBe(6);
    expect(await next(cloneB)).toBe(7);

    // Each clone has its name and labels, and lives on its own network under its alias.
    for (const [clone, net, suffix] of [
      [cloneB, netB, "clone-b"],
      [cloneC, netC, "clone-c"],
    ] as const) {
      const info = (await runtime.inspectEnvironment(clone))!;
      expect(info).toMatchObject({ name: `${prefix}-${suffix}`, running: true, labels: { ...labels, clone: suffix } });
      const attached = await networksOf(info.name);
      expect(Object.keys(attached)).toEqual([net]);
      expect(attached[net]!.Aliases).toContain("echo");
      expect(attached[net]!.IPAddress).toBe(info.address);
      expect(await sh(clone, "getent hosts echo")).toMatch(new RegExp(`^${info.address!.replace(/\./g, "\\.")}\\s`));
      expect(await httpStatus(`http://${info.address}:8000/whoami`)).toBe(200);
    }
    // The original is where it was.
    expect(Object.keys(await networksOf(`${prefix}-original`))).toEqual([`${prefix}-a`]);
    expect(await httpStatus(`http://${address}:8000/whoami`)).toBe(200);

    // The archive outlives its container: a clone comes back on the original's network under its alias.
    await runtime.removeEnvironment(original);
    const later = await runtime.restore(archive, spec("clone-later", `${prefix}-a`, "echo"));
    expect(await next(later)).toBe(5);
    expect(Object.keys(await networksOf(`${prefix}-clone-later`))).toEqual([`${prefix}-a`]);
  });

  it("checkpoints MariaDB (MediaWiki) and restores a clone whose database has the same rows", async (ctx) => {
    if (!support.supported) ctx.skip(`memory checkpoints unavailable: ${support.reason}`);
    const wiki = await runtime.startEnvironment(spec("wiki", await network("wiki"), "wiki", MEDIAWIKI));
    const address = (await runtime.inspectEnvironment(wiki))!.address!;
    await waitFor(
      () =>
        httpStatus(`http://${address}/`).then(
          (s) => (s < 500 ? s : undefined),
          () => undefined,
        ),
      90_000,
      "MediaWiki",
    );
    const sql = (container: string, query: string) => sh(container, `mariadb --protocol=socket -N -e "${query}"`);
    // A MEMORY table is empty after any restart of MariaDB: its rows in a clone prove the memory came along.
    await sql(
      wiki,
      "CREATE DATABASE criutest; CREATE TABLE criutest.mem (n INT) ENGINE=MEMORY; INSERT INTO criutest.mem VALUES (1),(2),(3); CREATE TABLE criutest.disk (n INT) ENGINE=InnoDB; INSERT INTO criutest.disk VALUES (10),(20)",
    );
    const rows = "SELECT SUM(n) FROM criutest.mem; SELECT SUM(n) FROM criutest.disk; SELECT COUNT(*) FROM wikidb.page";
    const before = await sql(wiki, rows);
    expect(before.split("\n").slice(0, 2)).toEqual(["6", "30"]);

    const archive = join(dir, "wiki.tar.zst");
    await runtime.checkpoint(wiki, archive);
    const clone = await runtime.restore(archive, spec("wiki-clone", await network("wiki-clone"), "wiki"));
    expect(await sql(clone, rows)).toBe(before);
    const cloneAddress = (await runtime.inspectEnvironment(clone))!.address!;
    expect(await httpStatus(`http://${cloneAddress}/index.php/Main_Page`)).toBe(200);

    // The clone and the original are separate databases from here on.
    await sql(clone, "INSERT INTO criutest.mem VALUES (100)");
    expect(await sql(wiki, "SELECT SUM(n) FROM criutest.mem")).toBe("6");
    expect(await sql(clone, "SELECT SUM(n) FROM criutest.mem")).toBe("106");
  });

  it("fails clearly on a missing or corrupt archive and leaves no container behind", async (ctx) => {
    if (!support.supported) ctx.skip(`memory checkpoints unavailable: ${support.reason}`);
    const net = await network("bad");
    const missing = spec("missing", net, "echo");
    await expect(runtime.restore(join(dir, "nothing.tar.zst"), missing)).rejects.toThrow(
      /cannot restore .*nothing\.tar\.zst as environment .*-missing: the archive does not exist/,
    );
    expect(await containerExists(missing.name)).toBe(false);

    const garbage = join(dir, "garbage.tar");
    writeFileSync(garbage, randomBytes(64 * 1024));
    const unreadable = spec("garbage", net, "echo");
    await expect(runtime.restore(garbage, unreadable)).rejects.toThrow(/not a readable checkpoint archive/);
    expect(await containerExists(unreadable.name)).toBe(false);

    // A well-formed archive whose process images are damaged gets as far as CRIU: Podman has then
    // created the container, and the failed restore must remove it.
    const source = await counterEnvironment("source", net);
    const archive = join(dir, "source.tar.zst");
    await runtime.checkpoint(source, archive);
    const unpacked = join(dir, "unpacked");
    await run("bash", ["-c", `mkdir ${unpacked} && zstd -q -d -c ${archive} | tar -x -C ${unpacked}`]);
    writeFileSync(join(unpacked, "checkpoint", "pstree.img"), randomBytes(512));
    const damaged = join(dir, "damaged.tar.zst");
    await run("bash", ["-c", `tar -C ${unpacked} -c . | zstd -q -o ${damaged}`]);
    const broken = spec("damaged", net, "echo");
    await expect(runtime.restore(damaged, broken)).rejects.toThrow(
      /cannot restore .*damaged\.tar\.zst as environment .*-damaged: CRIU: \S/,
    );
    expect(await containerExists(broken.name)).toBe(false);
    expect(await next(source)).toBe(2); // the source of the archive is untouched
  });
});
