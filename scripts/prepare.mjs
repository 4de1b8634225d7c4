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

if (stale) {
  console.log("Installing npm dependencies (native modules build from source)...");
  const args = existsSync(lock) ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
  run("npm", args, { ...process.env, npm_config_build_from_source: "true" });
}
run("npx", ["--no-install", "tsc", "-b"]);
