import { afterEach, describe, expect, it, vi } from "vitest";
import type { SetupStep } from "@terrarium/server";
import { runSteps } from "../src/progress.js";

const step = (title: string, missing: string | undefined, run: SetupStep["run"] = async () => {}): SetupStep => ({
  title,
  check: async () => missing,
  run,
});

describe("set-up steps off a terminal", () => {
  const tty = process.stdout.isTTY;
  afterEach(() => {
    process.stdout.isTTY = tty;
    vi.restoreAllMocks();
  });

  it("prints each step once (a step that runs: a start line and a result), never a title twice", async () => {
    process.stdout.isTTY = false;
    const printed: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (printed.push(String(chunk)), true));
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await runSteps([
      step("Base image", undefined),
      step("Simulator image fossil", "not built", async (report) => {
        for (let i = 0; i < 100; i++) report(`STEP ${i}`, i / 100);
      }),
      {
        ...step("CRIU", "missing", async () => {
          throw new Error("no compiler");
        }),
        optional: true,
      },
    ]);
    const lines = printed.join("").trimEnd().split("\n");
    expect(lines).toEqual([
      "✔ Base image: already there",
      "… Simulator image fossil (not built)",
      expect.stringMatching(/^✔ Simulator image fossil: done in \d+\.\d s$/),
      "… CRIU (missing)",
      "✘ CRIU: failed (optional, see the warning below)",
    ]);
    expect(warned).toHaveBeenCalledWith("warning: CRIU failed, and the set-up went on without it: no compiler");
  });
});
