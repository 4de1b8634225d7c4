import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, Env, type Environment, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const OUTPUT_LIMIT = 10_000;

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
/** The command line of every process in the environment, read with podman exec (the images have no ps). */
const processes = async (jobId: string) =>
  (
    await run("podman", [
      "exec",
      `terrarium-${jobId}`,
      "/bin/sh",
      "-c",
      "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f; echo; done",
    ])
  ).stdout;
/** What a shell sees of how it was started: $0, its arguments, its stdin and its open files. */
const PROBE = 'echo "$0|$#|$*"; readlink /proc/$$/fd/0; ls /proc/$$/fd > /tmp/fds; tr "\\n" " " < /tmp/fds; echo';

describe.each([
  ["the exec agent", true],
  ["podman exec", false],
])("execute through %s", (_way, execAgent) => {
  let t: TestServer;
  let session: Session;
  let env: Environment;

  beforeAll(async () => {
    t = await startTestServer({ execAgent, execOutputLimit: OUTPUT_LIMIT });
    session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    env = session.getEnv("forge")!;
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("runs a 1 MiB heredoc command as sh -c runs a short one", async () => {
    const content = `${randomBytes(768 * 1024).toString("base64")}\n`;
    const command = `cat > /tmp/big <<'EOF'\n${content}EOF\nsha256sum /tmp/big; ${PROBE}; exit 7`;
    expect(Buffer.byteLength(command)).toBeGreaterThan(1 << 20);
    const result = await env.execute(command);
    expect(result).toMatchObject({ stderr: "", exitCode: 7, timedOut: false });
    const [hash, ...probe] = result.stdout.split("\n");
    expect(hash).toBe(`${sha256(content)}  /tmp/big`);
    // The same $0, no arguments, stdin /dev/null and no other open file as a short command.
    const short = await env.execute(PROBE);
    expect(probe.join("\n")).toBe(short.stdout);
    expect(short.stdout).toMatch(/^\/bin\/sh\|0\|\n\/dev\/null\n(\d+ )+\n$/);
    // Nothing of the hand-over is left in the environment.
    expect((await env.execute("ls -a /tmp")).stdout).not.toContain("terrarium-command");
  });

  it("refuses a command with a NUL byte, naming its position, and runs nothing", async () => {
    const command = "touch /tmp/nul-ran\0; echo after";
    await expect(env.execute(command)).rejects.toThrow(BadRequestError);
    await expect(env.execute(command)).rejects.toThrow(
      /body\.command: contains a NUL byte at position 18; a command is text without NUL/,
    );
    expect((await env.execute("test -e /tmp/nul-ran")).exitCode).toBe(1);
  });

  it("kills everything the command started at its timeout, in a new session or ignoring TERM", async () => {
    const result = await env.execute(
      `setsid sh -c "sleep 311" & sleep 312 & setsid sh -c "trap '' TERM; sleep 313" & sleep 314; echo never`,
      { timeout: 1 },
    );
    expect(result).toMatchObject({ stdout: "", exitCode: null, timedOut: true });
    expect(await processes(env.jobId)).not.toMatch(/sleep 31[1-4]/);
  });

  it("leaves what a command that ends by itself started in the background running", async () => {
    expect(await env.execute("sleep 321 & echo started")).toMatchObject({ stdout: "started\n", exitCode: 0 });
    expect(await processes(env.jobId)).toContain("sleep 321");
    await env.execute(
      `for d in /proc/[0-9]*; do [ "$(tr '\\0' ' ' < $d/cmdline)" = "sleep 321 " ] && kill \${d#/proc/}; done; true`,
    );
  });

  it("answers binary output exactly in base64, and says when text lost bytes", async () => {
    const command = "head -c 4096 /dev/urandom > /tmp/random; sha256sum /tmp/random >&2; cat /tmp/random";
    const exact = await env.execute(command, { encoding: "base64" });
    expect(Buffer.isBuffer(exact.stdout)).toBe(true);
    expect(exact.stdout.length).toBe(4096);
    expect(exact.stderr.toString()).toBe(`${sha256(exact.stdout)}  /tmp/random\n`);
    expect(exact).toMatchObject({ stdoutLossy: false, stderrLossy: false, truncated: false });
    const text = await env.execute("cat /tmp/random");
    expect(text).toMatchObject({ stdoutLossy: true, stderrLossy: false });
    expect(await env.execute("echo plain")).toMatchObject({ stdout: "plain\n", stdoutLossy: false });
  });

  it("cuts text at the output limit before a character it would split", async () => {
    // 9,999 bytes, then "é" (2 bytes) across the 10,000-byte limit.
    const command = `head -c ${OUTPUT_LIMIT - 1} /dev/zero | tr '\\0' a; printf 'é and more' | tee /dev/stderr`;
    const text = await env.execute(command);
    expect(text.stdout).toBe("a".repeat(OUTPUT_LIMIT - 1));
    expect(text).toMatchObject({ stderr: "é and more", truncated: true, stdoutLossy: false });
    const bytes = await env.execute(command, { encoding: "base64" });
    expect(bytes.stdout).toEqual(Buffer.concat([Buffer.from("a".repeat(OUTPUT_LIMIT - 1)), Buffer.from([0xc3])]));
  });
});
