import { describe, expect, it } from "vitest";
import { diffManifests, type FileEntry, type Manifest } from "../src/capture/files.js";

const file = (text: string, mode = "0644"): FileEntry => ({
  type: "file",
  size: text.length,
  sha256: `h(${text})`,
  mode,
  text,
});
const manifest = (entries: Record<string, FileEntry>): Manifest => new Map(Object.entries(entries));

describe("diffManifests", () => {
  it("reports adds, modifications (content or mode) and deletions with a diff for text", () => {
    const before = manifest({
      "/d/a.txt": file("one\n"),
      "/d/b.txt": file("same\n"),
      "/d/c.txt": file("gone\n"),
      "/d/x": file("x", "0644"),
    });
    const after = manifest({
      "/d/a.txt": file("two\n"),
      "/d/b.txt": file("same\n"),
      "/d/new.txt": file("new\n"),
      "/d/x": file("x", "0755"),
    });
    const changes = diffManifests(before, after, "/d", []);
    expect(changes.map((c) => [c.path, c.op])).toEqual([
      ["/d/a.txt", "modify"],
      ["/d/c.txt", "delete"],
      ["/d/new.txt", "add"],
      ["/d/x", "modify"],
    ]);
    expect(changes[0]!.text).toMatchObject({
      before: "one\n",
      after: "two\n",
      diff: expect.stringContaining("-one\n+two"),
    });
    expect(changes[3]).toMatchObject({ before: { mode: "0644" }, after: { mode: "0755" } });
  });

  it("leaves out paths matching the ignore globs, relative or absolute", () => {
    const after = manifest({
      "/d/db.sqlite-journal": file("j"),
      "/d/cache/x.bin": file("x"),
      "/d/keep.txt": file("k"),
    });
    const changes = diffManifests(new Map(), after, "/d", ["*-journal", "cache/**"]);
    expect(changes.map((c) => c.path)).toEqual(["/d/keep.txt"]);
  });
});
