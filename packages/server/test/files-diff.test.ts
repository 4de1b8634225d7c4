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

  it("reports a file deleted and one added with the same content as a rename, empty files aside", () => {
    const before = manifest({
      "/d/new/msg": file("hello\n"),
      "/d/a/twin": file("twin\n"),
      "/d/b/twin": file("twin\n"),
      "/d/empty": file(""),
    });
    const after = manifest({
      "/d/cur/msg:2,S": file("hello\n"),
      "/d/c/twin": file("twin\n"),
      "/d/other-empty": file(""),
    });
    const changes = diffManifests(before, after, "/d", []);
    expect(changes.map((c) => [c.path, c.op, c.from])).toEqual([
      ["/d/b/twin", "delete", undefined],
      ["/d/c/twin", "rename", "/d/a/twin"],
      ["/d/cur/msg:2,S", "rename", "/d/new/msg"],
      ["/d/empty", "delete", undefined],
      ["/d/other-empty", "add", undefined],
    ]);
    const msg = changes.find((c) => c.path === "/d/cur/msg:2,S")!;
    expect(msg.before).toMatchObject({ sha256: "h(hello\n)" });
    expect(msg.text).toEqual({ before: "hello\n", after: "hello\n" });
  });
});
