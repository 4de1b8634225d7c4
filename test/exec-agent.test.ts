import { execFile } from "node:child_process";
import { request } from "node:http";
import { connect } from "node:net";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type Session } from "@terrarium/sdk";
import { environmentAddress, startTestServer, waitFor, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const AGENT_PORT = 7399;
const OUTPUT_LIMIT = 100_000;

/** The command line of every process in the environment, one per line (the images have no ps). */
const PROCESSES = "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done";
/** What both ways of executing are compared on: who, where, with what, under which limits. */
const IDENTITY = [
  "id",
  "pwd",
  "umask",
  "env | sort",
  "grep -E '^(Cap|NoNewPrivs|Seccomp|Sig(Blk|Ign)|Groups)' /proc/self/status",
  "cat /proc/self/cgroup /proc/self/limits /proc/self/oom_score_adj",
  "for n in /proc/self/ns/*; do readlink $n; done",
].join("; ");

const containerOf = (jobId: string) => `terrarium-${jobId}`;
const podmanExec = async (jobId: string, command: string) =>
  (await run("podman", ["exec", containerOf(jobId), "/bin/sh", "-c", command])).stdout;

/** One exec request framed by hand, as another program on the network would send it. */
function agentRequest(token: string, command: string, timeoutSeconds = 10): Buffer {
  const body = Buffer.concat(
    [token, String(timeoutSeconds), "1000", command].flatMap((field) => {
      const bytes = Buffer.from(field);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
  const header = Buffer.alloc(8);
  header.write("TRA2", 0, "latin1");
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** The last frame of the agent's answer to a request sent by hand: its type and payload. */
async function lastFrame(address: string, request: Buffer): Promise<string> {
  const socket = connect(AGENT_PORT, address);
  socket.write(request);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  let answer = Buffer.concat(chunks);
  let last = "";
  while (answer.length >= 5) {
    const size = answer.readUInt32BE(1);
    last = `${String.fromCharCode(answer[0]!)} ${answer.subarray(5, 5 + size).toString()}`;
    answer = answer.subarray(5 + size);
  }
  return last;
}

describe("the exec agent", () => {
  let t: TestServer;
  let session: Session;
  let forge: string;
  let mirror: string;

  beforeAll(async () => {
    t = await startTestServer({ execOutputLimit: OUTPUT_LIMIT });
    session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("fossil", { alias: "mirror" })],
    });
    forge = session.getEnv("forge")!.jobId;
    mirror = session.getEnv("mirror")!.jobId;
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  const execute = (jobId: string, command: string, timeout?: number) =>
    session.getEnv(jobId === forge ? "forge" : "mirror")!.execute(command, timeout ? { timeout } : {});

  it("starts first in the container and leaves the app init's direct child", async () => {
    const initChildren = `for d in /proc/[0-9]*; do [ "$(sed -n 's/^PPid:\\t//p' $d/status)" = 1 ] && tr '\\0' ' ' < $d/cmdline && echo; done`;
    const { stdout } = await execute(forge, `tr '\\0' ' ' < /proc/1/cmdline; echo; ${initChildren}`);
    const [init, ...children] = stdout
      .trim()
      .split("\n")
      .map((line) => line.trim());
    expect(init).toBe("/run/podman-init -- /usr/bin/perl /.terrarium/agent /usr/local/bin/terrarium-fossil");
    expect(children.sort()).toEqual(["/bin/bash /usr/local/bin/terrarium-fossil", "terrarium-agent"]);
  });

  it("keeps stdout and stderr apart and exit statuses exact", async () => {
    expect(await execute(forge, "echo out; echo err >&2; exit 7")).toMatchObject({
      stdout: "out\n",
      stderr: "err\n",
      exitCode: 7,
      timedOut: false,
      truncated: false,
    });
    expect(await execute(forge, "exit 124")).toMatchObject({ exitCode: 124, timedOut: false });
    expect(await execute(forge, "kill -9 $$")).toMatchObject({ exitCode: 137, timedOut: false });
    expect(await execute(forge, "no-such-command")).toMatchObject({ exitCode: 127 });
  });

  it("truncates a large output at the limit and still drains it to the end", async () => {
    const result = await execute(forge, "head -c 5000000 /dev/zero | tr '\\0' a; echo done >&2; exit 4");
    expect(result.stdout).toBe("a".repeat(OUTPUT_LIMIT));
    expect(result).toMatchObject({ stderr: "done\n", truncated: true, exitCode: 4, timedOut: false });
  });

  it("runs concurrent commands side by side", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => execute(i % 2 ? forge : mirror, `sleep 0.3; echo ${i}`)),
    );
    expect(results.map((r) => r.stdout)).toEqual(["0\n", "1\n", "2\n", "3\n", "4\n", "5\n"]);
  });

  it("answers when the command exits, even with a background child holding its output", async () => {
    const result = await execute(forge, "sleep 63 & echo started");
    expect(result).toMatchObject({ stdout: "started\n", exitCode: 0, timedOut: false });
  });

  it("kills the command's whole tree at the timeout, KILL for what ignores TERM", async () => {
    const polite = await execute(forge, "echo started; sleep 61 & sleep 62; echo never", 1);
    expect(polite).toMatchObject({ stdout: "started\n", exitCode: null, timedOut: true });
    const stubborn = await execute(forge, "trap '' TERM; sleep 64 & sleep 65", 1);
    expect(stubborn).toMatchObject({ exitCode: null, timedOut: true });
    const left = (await execute(forge, PROCESSES)).stdout;
    expect(left).not.toMatch(/sleep 6[1245]/);
  });

  it("kills at the timeout what the command detached and whose parent exited", async () => {
    // Each sleep is left without its parent at once, in a session of its own: only the keeper
    // (a child subreaper) still has it in the command's tree.
    const result = await execute(forge, `(setsid sleep 71 &); setsid sh -c "sleep 72 &"; nohup sleep 73 & sleep 74`, 1);
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect((await execute(forge, PROCESSES)).stdout).not.toMatch(/sleep 7[1-4]/);
  });

  it("answers 124 for a timeout TERM ended, 137 when it took KILL, and refuses a NUL byte", async () => {
    const { stdout } = await run("podman", ["inspect", "-f", "{{json .Config.Env}}", containerOf(forge)]);
    const token = (JSON.parse(stdout) as string[]).find((e) => e.startsWith("TERRARIUM_AGENT_TOKEN="))!.slice(22);
    const address = await environmentAddress(forge);
    expect(await lastFrame(address, agentRequest(token, "sleep 75", 0.5))).toBe("X 124 0 0 1");
    expect(await lastFrame(address, agentRequest(token, "trap '' TERM; sleep 76", 0.5))).toBe("X 137 0 0 1");
    expect(await lastFrame(address, agentRequest(token, "touch /tmp/nul\0; echo"))).toBe(
      "F the command contains a NUL byte at position 14",
    );
    expect((await execute(forge, "test -e /tmp/nul")).exitCode).toBe(1);
  });

  it("gives commands the user, directory, environment and confinement podman exec gives", async () => {
    const viaAgent = (await execute(forge, IDENTITY)).stdout;
    // podman exec also hands over the agent's token, which the agent keeps to itself.
    const viaPodman = (await podmanExec(forge, IDENTITY))
      .split("\n")
      .filter((line) => !line.startsWith("TERRARIUM_AGENT_TOKEN="))
      .join("\n");
    expect(viaAgent).toContain("uid=0(root)");
    expect(viaAgent).toContain("\n/data\n");
    expect(viaAgent).toMatch(/^Seccomp:\s+2$/m);
    // Plus the clock's libfaketime (what set_date moves), which the app has too and podman exec does not give.
    const clock = /^(LD_PRELOAD|FAKETIME_\w+|NO_FAKE_STAT|FAKE_UTIME)=/;
    const lines = viaAgent.split("\n");
    expect(lines.filter((line) => clock.test(line)).join("\n")).toMatch(/^FAKETIME_TIMESTAMP_FILE=\/dev\/shm\//m);
    expect(lines.filter((line) => !clock.test(line)).join("\n")).toBe(viaPodman);
  });

  it("kills the command when its client goes away", async () => {
    const { stdout } = await run("podman", ["inspect", "-f", "{{json .Config.Env}}", containerOf(forge)]);
    const token = (JSON.parse(stdout) as string[]).find((e) => e.startsWith("TERRARIUM_AGENT_TOKEN="))!.slice(22);
    const socket = connect(AGENT_PORT, await environmentAddress(forge));
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(agentRequest(token, 'setsid sh -c "sleep 67" & (setsid sleep 68 &); echo begun; sleep 66'));
    const first = await new Promise<Buffer>((resolve) => socket.once("data", resolve));
    expect(first.subarray(5).toString()).toBe("begun\n"); // it runs
    socket.destroy();
    await waitFor(
      async () => (!/sleep 6[678]/.test((await execute(forge, PROCESSES)).stdout) ? true : undefined),
      10_000,
      "the abandoned command and what it detached to be killed",
    );
  });

  it("refuses a sibling environment without the token", async () => {
    const address = await environmentAddress(forge);
    const request = agentRequest("0".repeat(64), "touch /tmp/pwned").toString("hex");
    // From inside the mirror, on the session network, with the perl its image has.
    const answer = await execute(
      mirror,
      `perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(PeerAddr => "${address}", PeerPort => ${AGENT_PORT}) or die "connect: $!";
        print $s pack("H*", "${request}");
        local $/; my $answer = <$s>; print substr($answer, 5)'`,
    );
    expect(answer.stdout).toBe("token refused");
    expect((await execute(forge, "test -e /tmp/pwned")).exitCode).toBe(1);
    expect((await execute(forge, "env")).stdout).not.toContain("TERRARIUM_AGENT_TOKEN");
  });

  it("is not reachable through the proxy", async () => {
    const url = new URL(await session.getEnv("forge")!.getPublicUrl({ port: AGENT_PORT }));
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: url.port, path: "/", headers: { host: url.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toContain("exec agent");
  });

  it("falls back to podman exec once the agent is gone", async () => {
    await podmanExec(
      mirror,
      `for d in /proc/[0-9]*; do [ "$(tr -d '\\0' < $d/cmdline)" = terrarium-agent ] && kill \${d#/proc/}; done; true`,
    );
    const left = (await execute(mirror, PROCESSES)).stdout;
    expect(left).not.toMatch(/^terrarium-agent/m);
    const result = await execute(mirror, "echo still here; env | grep -c TERRARIUM_AGENT_TOKEN; exit 5");
    // podman exec hands the token over in the environment; the agent never does.
    expect(result).toMatchObject({ stdout: "still here\n1\n", exitCode: 5, timedOut: false });
  });
});
