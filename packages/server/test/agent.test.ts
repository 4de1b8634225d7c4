import { describe, expect, it } from "vitest";
import {
  AGENT_ENTRYPOINT,
  AnswerReader,
  ExecAgentRefusal,
  agentRequest,
  agentToken,
  imageCommand,
} from "../src/runtime/podman/agent.js";

const frame = (type: string, payload: string | Buffer) => {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
};

describe("AnswerReader", () => {
  it("keeps stdout and stderr apart and reads the exit status", () => {
    const r = new AnswerReader(1024);
    expect(r.push(Buffer.concat([frame("O", "out1 "), frame("E", "err"), frame("O", "out2")]))).toBeUndefined();
    expect(r.push(frame("X", "3 0 0 0"))).toEqual({
      stdout: "out1 out2",
      stderr: "err",
      stdoutLossy: false,
      stderrLossy: false,
      exitCode: 3,
      timedOut: false,
      truncated: false,
    });
  });

  it("reassembles frames split anywhere, including inside headers and multibyte characters", () => {
    const all = Buffer.concat([frame("O", "héllo wörld"), frame("E", "ünïcode"), frame("X", "0 0 0 0")]);
    for (let cut = 1; cut < all.length; cut++) {
      const r = new AnswerReader(1024);
      expect(r.push(all.subarray(0, cut))).toBeUndefined();
      expect(r.push(all.subarray(cut))).toMatchObject({ stdout: "héllo wörld", stderr: "ünïcode", exitCode: 0 });
    }
  });

  it("keeps at most the limit of each stream, and says so, as the agent does", () => {
    const r = new AnswerReader(4);
    r.push(Buffer.concat([frame("O", "abc"), frame("O", "def"), frame("E", "xy")]));
    expect(r.push(frame("X", "0 0 0 0"))).toMatchObject({ stdout: "abcd", stderr: "xy", truncated: true });
    expect(new AnswerReader(4).push(frame("X", "0 1 0 0"))).toMatchObject({ truncated: true });
    expect(new AnswerReader(4).push(frame("X", "0 0 1 0"))).toMatchObject({ truncated: true });
  });

  it("cuts text at a whole character where the agent cut the stream, and flags bytes that are not UTF-8", () => {
    // "é" is 2 bytes: the agent's cut at 4 bytes left its first one.
    const cut = new AnswerReader(1024);
    cut.push(Buffer.concat([frame("O", Buffer.from("abcé").subarray(0, 4)), frame("E", Buffer.from([0x66, 0xff]))]));
    expect(cut.push(frame("X", "0 1 0 0"))).toMatchObject({
      stdout: "abc",
      stdoutLossy: false,
      stderr: "f\ufffd",
      stderrLossy: true,
      truncated: true,
    });
  });

  it("answers the exact bytes in base64", () => {
    const r = new AnswerReader(1024, "base64");
    r.push(frame("O", Buffer.from([0, 0xff, 0xc3])));
    expect(r.push(frame("X", "0 1 0 0"))).toMatchObject({ stdout: "AP/D", stdoutLossy: false, stderr: "" });
  });

  it("answers no exit code for a command its timeout stopped", () => {
    const r = new AnswerReader(16);
    expect(r.push(Buffer.concat([frame("O", "started\n"), frame("X", "124 0 0 1")]))).toEqual({
      stdout: "started\n",
      stderr: "",
      stdoutLossy: false,
      stderrLossy: false,
      exitCode: null,
      timedOut: true,
      truncated: false,
    });
  });

  it("turns a refusal and a garbled answer into clear errors", () => {
    expect(() => new AnswerReader(16).push(frame("F", "token refused"))).toThrow(new ExecAgentRefusal("token refused"));
    expect(() => new AnswerReader(16).push(frame("X", "zero"))).toThrow(/malformed exit status: zero/);
    expect(() => new AnswerReader(16).push(frame("X", "0 0 0"))).toThrow(/malformed exit status: 0 0 0/);
    expect(() => new AnswerReader(16).push(frame("Q", ""))).toThrow(/unknown frame/);
  });
});

describe("agentRequest", () => {
  it("frames each field with its length, so a command holds any bytes", () => {
    const request = agentRequest("tok", "a\0b", { timeoutSeconds: 1.5, outputLimit: 10 });
    const field = (text: string) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(Buffer.byteLength(text));
      return Buffer.concat([length, Buffer.from(text)]);
    };
    const body = Buffer.concat([field("tok"), field("1.5"), field("10"), field("a\0b")]);
    const header = Buffer.alloc(8);
    header.write("TRA2", 0, "latin1");
    header.writeUInt32BE(body.length, 4);
    expect(request).toEqual(Buffer.concat([header, body]));
  });
});

describe("imageCommand", () => {
  it.each([
    [{ Cmd: ["/usr/local/bin/app"] }, ["/usr/local/bin/app"]],
    [{ Entrypoint: ["/init.sh"], Cmd: ["serve", "--port=80"] }, ["/init.sh", "serve", "--port=80"]],
    [{ Entrypoint: null, Cmd: null }, []],
    // A commit of a container with the agent keeps the agent's entrypoint: it is not wrapped twice.
    [{ Entrypoint: AGENT_ENTRYPOINT, Cmd: ["/usr/local/bin/app"] }, ["/usr/local/bin/app"]],
  ])("%j starts %j", (config, command) => {
    expect(imageCommand(config)).toEqual(command);
  });
});

describe("agentToken", () => {
  it.each([
    [["PATH=/bin", "TERRARIUM_AGENT_TOKEN=abc123"], "abc123"],
    [["PATH=/bin"], undefined],
    [["TERRARIUM_AGENT_TOKEN="], undefined],
    [null, undefined],
  ])("%j holds %j", (env, token) => {
    expect(agentToken(env)).toBe(token);
  });
});
