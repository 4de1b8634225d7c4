import { describe, expect, it } from "vitest";
import { KeyedLock } from "../src/services/keyed-lock.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("KeyedLock", () => {
  it("runs tasks of one key one after another, in order, even when one fails", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string, ms: number, fail = false) =>
      lock.run("s", async () => {
        log.push(`start ${name}`);
        await tick(ms);
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task("a", 20, true), task("b", 5), task("c", 1)]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
  });

  it("runs tasks of different keys side by side", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    await Promise.all(
      ["x", "y"].map((key) =>
        lock.run(key, async () => {
          log.push(`start ${key}`);
          await tick(10);
          log.push(`end ${key}`);
        }),
      ),
    );
    expect(log.slice(0, 2)).toEqual(["start x", "start y"]);
  });
});
