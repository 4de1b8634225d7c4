import { describe, expect, it } from "vitest";
import { encodeOutput, KeptOutput, wholeCharactersEnd } from "../src/runtime/output.js";
import { parseStat } from "../src/runtime/podman/process-tree.js";

describe("wholeCharactersEnd", () => {
  const utf8 = (text: string) => Buffer.from(text);
  it.each([
    ["", 0, 0],
    ["abc", 3, 3],
    ["aé", 3, 3], // whole
    ["aé", 2, 1], // half of é
    ["a€", 2, 1], // 1 of 3 bytes
    ["a€", 3, 1], // 2 of 3
    ["a😀", 4, 1], // 3 of 4
    ["a😀", 5, 5], // whole
  ])("%j cut at %i bytes ends at %i", (text, cut, end) => {
    expect(wholeCharactersEnd(utf8(text).subarray(0, cut))).toBe(end);
  });
});

describe("encodeOutput", () => {
  it("cuts text back to its last whole character only where the limit cut it", () => {
    const half = Buffer.from("ok😀").subarray(0, 4);
    expect(encodeOutput(half, true, "utf8")).toEqual({ text: "ok", lossy: false });
    // Not cut: the command itself wrote half a character, which is not UTF-8.
    expect(encodeOutput(half, false, "utf8")).toEqual({ text: "ok\ufffd", lossy: true });
  });

  it("says when bytes were not UTF-8, and gives them exact in base64", () => {
    const bytes = Buffer.from([0x61, 0xff, 0x00, 0x62]);
    expect(encodeOutput(bytes, false, "utf8")).toEqual({ text: "a\ufffd\0b", lossy: true });
    expect(encodeOutput(bytes, true, "base64")).toEqual({ text: "Yf8AYg==", lossy: false });
  });
});

describe("KeptOutput", () => {
  it("keeps the limit and says it cut", () => {
    const kept = new KeptOutput(3);
    kept.push(Buffer.from("ab"));
    expect(kept.cut).toBe(false);
    kept.push(Buffer.from("cd"));
    kept.push(Buffer.from("e"));
    expect([kept.bytes().toString(), kept.cut]).toEqual(["abc", true]);
  });
});

describe("parseStat", () => {
  const stat = (name: string, state = "S") =>
    `42 (${name}) ${state} 7 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 50 1`;
  it("reads the parent and start time after a name with spaces and parentheses", () => {
    expect(parseStat(stat("a) S 99 (b"))).toEqual({ ppid: 7, start: "123456", zombie: false });
    expect(parseStat(stat("sleep", "Z"))).toMatchObject({ zombie: true });
    expect(parseStat("")).toBeUndefined();
  });
});
