import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseByteSize } from "@terrarium/wire";
import { defaultSimulatorsDir } from "../src/config.js";
import { loadSimulators } from "../src/catalog/simulators.js";

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "terrarium-sims-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const manifest = (name: string, extra = "") => `name: ${name}
version: "1"
description: test
role: test app
image: { containerfile: Containerfile }
app_port: 8080
readiness: { http: { port: 8080 } }
${extra}`;

describe("simulator manifests", () => {
  it("loads the shipped fossil simulator", () => {
    const fossil = loadSimulators(defaultSimulatorsDir()).get("fossil");
    expect(fossil?.manifest.app_port).toBe(8080);
    expect(fossil?.manifest.state.databases[0]?.engine).toBe("sqlite");
    expect(fossil?.manifest.accounts.some((a) => a.role === "admin")).toBe(true);
    expect(fossil?.manifest).toMatchObject({ role: "code forge", stands_in_for: ["Gitea", "GitHub"] });
  });

  it("needs a role: what the app serves as", () => {
    const dir = folder({
      "a/simulator.yaml": manifest("a").replace("role: test app\n", ""),
      "a/Containerfile": "FROM x",
    });
    expect(() => loadSimulators(dir)).toThrow(/a\/simulator\.yaml: role: /);
  });

  it("applies defaults and parses sizes", () => {
    const dir = folder({
      "a/simulator.yaml": manifest("a", "resources: { memory: 1.5g }"),
      "a/Containerfile": "FROM x",
    });
    const a = loadSimulators(dir).get("a")!;
    expect(a.manifest.resources).toEqual({ cpus: 1, memory: 1.5 * 1024 ** 3 });
    expect(a.manifest.readiness).toEqual({ http: { port: 8080, path: "/", status: 200 }, timeout: 60 });
  });

  it("names each invalid file and field", () => {
    const dir = folder({
      "a/simulator.yaml": manifest("a", "resources: { cpus: -1 }"),
      "a/Containerfile": "FROM x",
      "b/simulator.yaml": manifest("wrong"),
      "b/Containerfile": "FROM x",
      "c/simulator.yaml": manifest("c"),
      "d/simulator.yaml": "name: [unclosed",
    });
    let message = "";
    try {
      loadSimulators(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/a\/simulator\.yaml: resources\.cpus: /);
    expect(message).toMatch(/b\/simulator\.yaml: name "wrong" must match its folder "b"/);
    expect(message).toMatch(/c\/simulator\.yaml: image\.containerfile: Containerfile does not exist/);
    expect(message).toMatch(/d\/simulator\.yaml: not valid YAML/);
  });

  it("changes the recipe hash when a recipe file changes, not otherwise", () => {
    const dir = folder({ "a/simulator.yaml": manifest("a"), "a/Containerfile": "FROM x" });
    const first = loadSimulators(dir).get("a")!.recipeHash;
    expect(loadSimulators(dir).get("a")!.recipeHash).toBe(first);
    writeFileSync(join(dir, "a/README.md"), "docs are not part of the image");
    expect(loadSimulators(dir).get("a")!.recipeHash).toBe(first);
    writeFileSync(join(dir, "a/Containerfile"), "FROM y");
    expect(loadSimulators(dir).get("a")!.recipeHash).not.toBe(first);
  });

  it("gives every simulator the base dataset, and refuses datasets without it or with a bad name", () => {
    const dir = folder({ "a/simulator.yaml": manifest("a"), "a/Containerfile": "FROM x" });
    expect(Object.keys(loadSimulators(dir).get("a")!.manifest.datasets)).toEqual(["base"]);
    expect(Object.keys(loadSimulators(defaultSimulatorsDir()).get("fossil")!.manifest.datasets)).toEqual([
      "base",
      "blank",
    ]);
    const bad = folder({
      "a/simulator.yaml": manifest("a", "datasets: { blank: { description: empty } }"),
      "a/Containerfile": "FROM x",
      "b/simulator.yaml": manifest("b", "datasets: { base: { description: seeded }, Blank: { description: x } }"),
      "b/Containerfile": "FROM x",
    });
    expect(() => loadSimulators(bad)).toThrow(/a\/simulator\.yaml: datasets: datasets needs "base"/);
    expect(() => loadSimulators(bad)).toThrow(/b\/simulator\.yaml: datasets\.Blank: a dataset name is/);
  });

  it("parses byte sizes", () => {
    expect(parseByteSize("512m")).toBe(512 * 1024 ** 2);
    expect(parseByteSize("2G")).toBe(2 * 1024 ** 3);
    expect(parseByteSize("100")).toBe(100);
    expect(() => parseByteSize("lots")).toThrow();
  });
});
