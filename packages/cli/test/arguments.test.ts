import { describe, expect, it } from "vitest";
import { parseEnvArgument } from "../src/commands/sessions/make.js";
import { heartbeatSeconds, port, positiveSeconds, seconds } from "../src/flags.js";

describe("sessions make: environment arguments", () => {
  it.each([
    ["fossil", { type: "simulator", simulator: "fossil", alias: "fossil" }],
    ["fossil:1.1.0", { type: "simulator", simulator: "fossil", tag: "1.1.0", alias: "fossil" }],
    ["forge=fossil", { type: "simulator", simulator: "fossil", alias: "forge" }],
    ["tracker=redmine:with-triage", { type: "simulator", simulator: "redmine", tag: "with-triage", alias: "tracker" }],
    ["a_0123456789ab", { type: "artifact", artifact_id: "a_0123456789ab" }],
    ["branch=a_0123456789ab", { type: "artifact", artifact_id: "a_0123456789ab", alias: "branch" }],
  ])("%s", (text, spec) => {
    expect(parseEnvArgument(text).spec).toEqual(spec);
  });

  it.each([
    ["=fossil", /the alias before '=' is empty/],
    ["forge=", /nothing after the '='/],
    [":1.0", /the simulator before ':' is empty/],
    ["fossil:", /the tag after ':' is empty/],
    ["fossil:1:2", /more than one ':'/],
  ])("refuses %s, showing the syntax", (text, why) => {
    expect(() => parseEnvArgument(text)).toThrow(why);
    expect(() => parseEnvArgument(text)).toThrow(/write ALIAS=SIMULATOR\[:TAG\]/);
  });
});

describe("numeric flags", () => {
  it("take numbers within the server's bounds and say what is allowed otherwise", () => {
    expect(port("7350")).toBe(7350);
    expect(seconds(300)("2.5")).toBe(2.5);
    expect(seconds(300)("0")).toBe(0);
    expect(heartbeatSeconds(60)("0")).toBe(0);
    expect(positiveSeconds(60)("0.5")).toBe(0.5);
    expect(() => port("80.5")).toThrow("It must be a port: a whole number from 0 to 65535.");
    expect(() => seconds(300)("abc")).toThrow("It must be a number of seconds from 0 to 300.");
    expect(() => seconds(300)("")).toThrow("It must be a number of seconds from 0 to 300.");
    expect(() => seconds(300)("-3")).toThrow("It must be a number of seconds from 0 to 300.");
    expect(() => seconds(300)("301")).toThrow("It must be a number of seconds from 0 to 300.");
    expect(() => heartbeatSeconds(60)("1.5")).toThrow("It must be a whole number of seconds from 0 (never) to 60.");
    expect(() => positiveSeconds(60)("0")).toThrow("It must be a number of seconds above 0, at most 60.");
  });
});
