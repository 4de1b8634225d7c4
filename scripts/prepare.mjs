#!/usr/bin/env node
// Makes a checkout runnable: installs npm dependencies when missing or stale, then compiles TypeScript.
// Idempotent and cheap when nothing changed. Native modules are compiled from source (no prebuilt
// binary downloads), so the first install takes a minute or two.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
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
if (!loads()) {
  console.log(`Rebuilding native modules for Node.js ${process.versions.node}...`);
  run("npm", ["rebuild", "better-sqlite3"], buildFromSource);
}
run("npx", ["--no-install", "tsc", "-b"]);
