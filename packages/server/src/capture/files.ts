import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { createTwoFilesPatch } from "diff";
import picomatch from "picomatch";
import { extract } from "tar-stream";
import type { FileChange } from "@terrarium/wire";

/** Text files up to this size carry their content and a diff in the state. */
const TEXT_LIMIT = 64 * 1024;

export interface FileEntry {
  type: "file" | "dir" | "symlink";
  size: number;
  sha256: string;
  mode: string;
  target?: string;
  /** Content of small text files. */
  text?: string;
  /** The raw content, for the files a manifest was asked to keep (a Maildir's messages). */
  content?: Buffer;
}

/** path (absolute, in the environment) -> entry */
export type Manifest = Map<string, FileEntry>;

/**
 * Reads a tar archive of a watched directory (as the engine's archive API streams it, rooted at the
 * directory's own name) into a manifest keyed by absolute path under `root`. Files whose path under the
 * root `keep` accepts hold their raw content too.
 */
export async function manifestOf(
  archive: Buffer,
  root: string,
  keep: (relative: string) => boolean = () => false,
): Promise<Manifest> {
  const manifest: Manifest = new Map();
  const parent = root.replace(/\/[^/]+\/?$/, "");
  const tar = extract();
  Readable.from([archive]).pipe(tar);
  for await (const entry of tar) {
    const { header } = entry;
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks);
    const path = `${parent}/${header.name.replace(/^\.\//, "").replace(/\/$/, "")}`;
    const type =
      header.type === "directory"
        ? "dir"
        : header.type === "symlink"
          ? "symlink"
          : header.type === "file"
            ? "file"
            : undefined;
    if (!type || path === root) continue;
    const file: FileEntry = {
      type,
      size: type === "file" ? content.length : 0,
      sha256: type === "file" ? createHash("sha256").update(content).digest("hex") : "",
      mode: ((header.mode ?? 0) & 0o7777).toString(8).padStart(4, "0"),
      ...(type === "symlink" && header.linkname ? { target: header.linkname } : {}),
    };
    if (type === "file" && content.length <= TEXT_LIMIT && isText(content)) file.text = content.toString("utf8");
    if (type === "file" && keep(path.slice(root.length + 1))) file.content = content;
    manifest.set(path, file);
  }
  return manifest;
}

function isText(content: Buffer): boolean {
  if (content.includes(0)) return false;
  return !content.toString("utf8").includes("\uFFFD");
}

const meta = (e: FileEntry) => ({
  size: e.size,
  sha256: e.sha256,
  mode: e.mode,
  ...(e.target ? { target: e.target } : {}),
});

/** Adds, modifications and deletions between two manifests; paths matching `ignore` globs are left out. */
export function diffManifests(before: Manifest, after: Manifest, root: string, ignore: string[]): FileChange[] {
  // Globs without a slash match a file's name anywhere; globs with one match its path under the root.
  const byName = picomatch(
    ignore.filter((g) => !g.includes("/")),
    { dot: true },
  );
  const byPath = picomatch(
    ignore.filter((g) => g.includes("/")),
    { dot: true },
  );
  const ignored = (path: string) => {
    const relative = path.slice(root.length + 1);
    return byName(relative.slice(relative.lastIndexOf("/") + 1)) || byPath(relative);
  };
  const changes: FileChange[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    if (ignore.length > 0 && ignored(path)) continue;
    const old = before.get(path);
    const now = after.get(path);
    if (
      old &&
      now &&
      old.type === now.type &&
      old.sha256 === now.sha256 &&
      old.mode === now.mode &&
      old.target === now.target
    )
      continue;
    if (old && now && old.type === "dir" && now.type === "dir" && old.mode === now.mode) continue;
    const op = !old ? "add" : !now ? "delete" : "modify";
    const entry = (now ?? old)!;
    const change: FileChange = { path, op, type: entry.type };
    if (old) change.before = meta(old);
    if (now) change.after = meta(now);
    if (entry.type === "file" && (old?.text !== undefined || now?.text !== undefined)) {
      const textBefore = old?.text ?? "";
      const textAfter = now?.text ?? "";
      change.text = {
        ...(old?.text !== undefined ? { before: textBefore } : {}),
        ...(now?.text !== undefined ? { after: textAfter } : {}),
        diff: createTwoFilesPatch(`a${path}`, `b${path}`, textBefore, textAfter, undefined, undefined, { context: 3 }),
      };
    }
    changes.push(change);
  }
  return pairRenames(changes);
}

/**
 * A file deleted and a file added with the same content (not empty) is one file renamed: one change
 * with op `rename`, `from` the old path, `before` and `after` its metadata before and after (a Maildir
 * renames a message to change its flags; a mail server files a moved message under a new name).
 * Pairs are taken in path order.
 */
function pairRenames(changes: FileChange[]): FileChange[] {
  const deleted = new Map<string, FileChange[]>();
  for (const c of changes) {
    if (c.op !== "delete" || c.type !== "file" || !c.before?.size) continue;
    deleted.set(c.before.sha256, [...(deleted.get(c.before.sha256) ?? []), c]);
  }
  const renamed = new Set<FileChange>();
  const paired = changes.map((c) => {
    if (c.op !== "add" || c.type !== "file" || !c.after?.size) return c;
    const old = deleted.get(c.after.sha256)?.shift();
    if (!old) return c;
    renamed.add(old);
    const rename: FileChange = {
      path: c.path,
      op: "rename",
      type: "file",
      from: old.path,
      before: old.before,
      after: c.after,
    };
    if (c.text?.after !== undefined) rename.text = { before: c.text.after, after: c.text.after };
    return rename;
  });
  return paired.filter((c) => !renamed.has(c));
}
