#!/usr/bin/env node
// Packs @terrarium/sdk into one tarball that installs in any project, outside this repository too:
//   node scripts/pack-sdk.mjs [--out DIR]      (default DIR: dist/npm)
//   npm install DIR/terrarium-sdk-<version>.tgz
// The SDK needs the workspace-only @terrarium/wire at run time, so the tarball carries wire's compiled
// code as a bundled dependency; zod is the only thing npm fetches. Source maps stay behind: the sources
// they point to are not shipped.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = resolve(values.out ?? join(root, "dist", "npm"));
const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

execFileSync("npx", ["--no-install", "tsc", "-b", "packages/sdk"], { cwd: root, stdio: "inherit" });

const sdk = readJson(join(root, "packages/sdk/package.json"));
const wire = readJson(join(root, "packages/wire/package.json"));
if (sdk.dependencies[wire.name] !== wire.version) {
  throw new Error(
    `packages/sdk depends on ${wire.name}@${sdk.dependencies[wire.name]} but packages/wire is ${wire.version}`,
  );
}

const stage = mkdtempSync(join(tmpdir(), "terrarium-pack-"));
try {
  copyBuild(join(root, "packages/sdk"), stage);
  copyFileSync(join(root, "packages/sdk/README.md"), join(stage, "README.md"));
  const wireStage = join(stage, "node_modules", ...wire.name.split("/"));
  copyBuild(join(root, "packages/wire"), wireStage);
  writeFileSync(join(wireStage, "package.json"), `${JSON.stringify(published(wire), null, 2)}\n`);
  writeFileSync(
    join(stage, "package.json"),
    `${JSON.stringify({ ...published(sdk), bundleDependencies: [wire.name] }, null, 2)}\n`,
  );
  mkdirSync(out, { recursive: true });
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", out], {
      cwd: stage,
      encoding: "utf8",
    }),
  );
  const tarball = join(out, packed.filename);
  console.log(`${tarball} (${packed.entryCount} files, ${Math.round(packed.size / 1024)} KiB)`);
  console.log(`install it in a project: npm install ${tarball}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/** The package.json to ship: what a user's npm reads, without the workspace's development fields. */
function published(pkg) {
  const { devDependencies: _dev, scripts: _scripts, ...rest } = pkg;
  return rest;
}

/**
 * Copies a package's compiled `.js` and `.d.ts` of its current sources (tsc -b leaves the output of
 * deleted sources behind; those must not ship), without their source map comments.
 */
function copyBuild(pkgDir, to) {
  const sources = readdirSync(join(pkgDir, "src"), { recursive: true })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -".ts".length));
  for (const source of sources) {
    for (const ext of [".js", ".d.ts"]) {
      const text = readFileSync(join(pkgDir, "dist", source + ext), "utf8");
      mkdirSync(dirname(join(to, "dist", source)), { recursive: true });
      writeFileSync(join(to, "dist", source + ext), text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
    }
  }
  if (sources.length === 0) throw new Error(`no sources in ${basename(pkgDir)}/src`);
}
