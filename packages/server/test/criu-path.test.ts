import { describe, expect, it } from "vitest";
import { criuSearchPath } from "../src/runtime/podman/criu.js";

describe("criuSearchPath", () => {
  it.each([
    ["/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"],
    ["/usr/bin:/usr/sbin:/usr/local/sbin", "/usr/bin:/usr/local/sbin:/usr/sbin"],
    ["/root/bin:/usr/sbin:/sbin:/usr/bin", "/root/bin:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin"],
    ["/usr/bin:/bin", "/usr/bin:/bin:/usr/local/sbin"],
    ["", "/usr/local/sbin"],
  ])("puts /usr/local/sbin ahead of the system's sbin in %j", (path, expected) => {
    expect(criuSearchPath(path)).toBe(expected);
  });
});
