import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkCriu, LOCAL_SBIN } from "../runtime/podman/criu.js";
import { debianMirrors } from "./base-image.js";
import { runCommand, succeeds } from "./command.js";
import { missingPackages } from "./host.js";
import type { Report, SetupStep } from "./step.js";

/**
 * Bookworm's CRIU 3.17 fails on kernels >= 6.13 (vDSO layout) and 4.1 hangs on guests whose hardware
 * breakpoints do not fire; 4.2.1 works. Debian ships it in sid and forky only, so it is built here.
 */
export const CRIU_VERSION = "4.2.1";
const SOURCE_SUITES = ["sid", "forky", "trixie-backports"];
/** Read from the package's sources: the build copies only .js to dist. */
const PATCH = fileURLToPath(new URL("../../src/setup/criu-rlimits.patch", import.meta.url));
const INSTALLED = join(LOCAL_SBIN, "criu");
/** Which build is installed: version and patch hash, so an older or unpatched build gets replaced. */
export const CRIU_MARKER = "/usr/local/lib/terrarium/criu.version";
/** Built binaries (one per build id) and the private apt state that fetches the sources. */
const CACHE = "/var/cache/terrarium/criu";
const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
/** CRIU's build dependencies (their runtime libraries come along) and zstd, which packs the archives. */
export const CRIU_PACKAGES = [
  "build-essential",
  "libbsd-dev",
  "libcap-dev",
  "libgnutls28-dev",
  "libnet1-dev",
  "libnftables-dev",
  "libnl-3-dev",
  "libprotobuf-c-dev",
  "libprotobuf-dev",
  "pkgconf",
  "protobuf-c-compiler",
  "protobuf-compiler",
  "uuid-dev",
  "python3-protobuf",
  "zstd",
];
/** `CC` lines of `make criu` 4.2.1, for the progress fraction. */
const COMPILED_FILES = 207;
const CAP_SYS_RESOURCE = 24;

/** The build this code makes: `4.2.1+rlimits.<patch hash>`. */
export function criuBuildId(): string {
  const hash = createHash("sha256").update(readFileSync(PATCH)).digest("hex").slice(0, 12);
  return `${CRIU_VERSION}+rlimits.${hash}`;
}

const isRoot = () => process.getuid?.() === 0;

/** Whether this process may read other users' resource limits (root lacks it on some hosts). */
function hasCapSysResource(): boolean {
  const status = readFileSync("/proc/self/status", "utf8");
  const effective = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
  return effective !== undefined && (BigInt(`0x${effective}`) & (1n << BigInt(CAP_SYS_RESOURCE))) !== 0n;
}

function installedBuild(): string | undefined {
  return existsSync(CRIU_MARKER) ? readFileSync(CRIU_MARKER, "utf8").trim() : undefined;
}

/**
 * CRIU for memory snapshots: 4.2.1 from Debian's sources, with a patch that reads resource limits from
 * /proc when root lacks CAP_SYS_RESOURCE, installed as /usr/local/sbin/criu (ahead of Debian's in the
 * PATH runc gets). Optional: without it everything but memory snapshots works.
 */
export const criuStep: SetupStep = {
  title: `CRIU ${CRIU_VERSION} for memory snapshots (${INSTALLED})`,
  optional: true,
  async check() {
    if (!(await succeeds("zstd", ["--version"]))) return "zstd is not installed";
    const check = await checkCriu();
    if (!check.ok) return check.error;
    if (check.criu === INSTALLED) {
      const build = installedBuild();
      if (build === criuBuildId()) return undefined;
      return build ? `${INSTALLED} is build ${build}, not ${criuBuildId()}` : `${INSTALLED} lacks the rlimit patch`;
    }
    if (!hasCapSysResource()) {
      return `${check.criu} works, but without CAP_SYS_RESOURCE it needs the rlimit patch to checkpoint processes of other users`;
    }
    return undefined;
  },
  async run(report, signal) {
    if (!isRoot()) throw new Error("building CRIU needs root: run `terrarium setup` as root");
    const build = criuBuildId();
    const dir = join(CACHE, build);
    const binary = join(dir, "criu");
    const missing = await missingPackages(CRIU_PACKAGES);
    if (missing.length > 0) await installPackages(missing, report, signal);
    if (existsSync(binary)) report(`using the build cached in ${dir}`, 0.9);
    else await buildCriu(dir, report, signal);
    install(binary, build);
    const check = await checkCriu();
    if (!check.ok) throw new Error(`CRIU ${build} is installed, but ${check.error} (remove ${dir} to rebuild it)`);
    report(`installed ${INSTALLED} (${build}); criu check: looks good`, 1);
  },
};

async function installPackages(packages: string[], report: Report, signal?: AbortSignal): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  report("apt-get update", 0);
  await runCommand("apt-get", ["update", "-q"], { env, signal, onLine: (l) => report(l, 0) });
  let done = 0;
  await runCommand("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...packages], {
    env,
    signal,
    onLine: (line) => {
      if (line.startsWith("Setting up")) done++;
      report(line, Math.min(0.2, (0.2 * done) / (packages.length * 3)));
    },
  });
}

/** Builds `dir`/criu: Debian's CRIU sources with the rlimit patch. */
async function buildCriu(dir: string, report: Report, signal?: AbortSignal): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { main } = debianMirrors();
  const apt = join(CACHE, "apt");
  try {
    await fetchSources(dir, main, { ...process.env, APT_CONFIG: privateApt(apt, main) }, report, signal);
  } finally {
    rmSync(apt, { recursive: true, force: true }); // 50 MB of source indexes, fetched again for a rebuild
  }
  const source = join(dir, `criu-${CRIU_VERSION}`);
  await runCommand("patch", ["-d", source, "-p1", "-i", PATCH], { signal });
  report(`make criu (${CRIU_VERSION} with the rlimit patch)`, 0.3);
  let compiled = 0;
  await runCommand("make", ["-C", source, "-j2", "criu"], {
    signal,
    onLine: (line) => {
      if (/^\s*CC\s/.test(line)) compiled++;
      report(line, 0.3 + 0.6 * Math.min(1, compiled / COMPILED_FILES));
    },
  });
  copyFileSync(join(source, "criu", "criu"), join(dir, "criu"));
  rmSync(source, { recursive: true, force: true });
}

/** Downloads and unpacks CRIU's upstream tarball into `dir` through a private apt configuration. */
async function fetchSources(
  dir: string,
  main: string,
  env: NodeJS.ProcessEnv,
  report: Report,
  signal?: AbortSignal,
): Promise<void> {
  report(`apt-get update: ${SOURCE_SUITES.join(", ")} sources from ${main} (private apt state)`, 0.2);
  await runCommand("apt-get", ["update", "-q"], { env, signal });
  const listed = await runCommand("apt-cache", ["showsrc", "--only-source", "criu"], { env }).catch(() => "");
  const versions = [...listed.matchAll(/^Version: (\S+)$/gm)].map((m) => m[1]!);
  const version = versions
    .filter((v) => v.startsWith(`${CRIU_VERSION}-`))
    .sort()
    .at(-1);
  if (!version) {
    throw new Error(
      `the Debian mirror ${main} no longer has the sources of CRIU ${CRIU_VERSION} (${SOURCE_SUITES.join(", ")} have ${versions.join(", ") || "none"}); set CRIU_VERSION in packages/server/src/setup/criu.ts to one of those and check that criu-rlimits.patch still applies`,
    );
  }
  // Only the upstream tarball is needed for the binary; Debian's packaging is not (and some mirrors
  // lack it). apt checks the tarball against the SHA256 of the signed Sources index.
  const uris = await runCommand("apt-get", ["source", "--print-uris", "-q", `criu=${version}`], { env });
  const orig = /'(\S+)' (criu_\S+\.orig\.tar\.\w+) \d+ SHA256:([0-9a-f]{64})/.exec(uris);
  if (!orig) throw new Error(`\`apt-get source --print-uris criu=${version}\` named no upstream tarball:\n${uris}`);
  const [, uri, file, sha256] = orig;
  const tarball = join(dir, file!);
  report(`downloading ${file}`, 0.25);
  await runCommand("/usr/lib/apt/apt-helper", ["download-file", uri!, tarball, `SHA256:${sha256}`], { env, signal });
  await runCommand("tar", ["-C", dir, "-xf", tarball], { signal });
  rmSync(tarball, { force: true });
}

/** An apt configuration of its own: the system's sources, lists and caches stay as they are. */
function privateApt(root: string, mirror: string): string {
  for (const d of ["state/lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"]) {
    mkdirSync(join(root, d), { recursive: true });
  }
  if (!existsSync(join(root, "state/status"))) writeFileSync(join(root, "state/status"), "");
  const signedBy = existsSync(KEYRING) ? `[signed-by=${KEYRING}] ` : "";
  writeFileSync(
    join(root, "sources.list"),
    SOURCE_SUITES.map((suite) => `deb-src ${signedBy}${mirror} ${suite} main\n`).join(""),
  );
  const conf = join(root, "apt.conf");
  writeFileSync(
    conf,
    [
      `Dir::State "${root}/state";`,
      `Dir::State::status "${root}/state/status";`,
      `Dir::Cache "${root}/cache";`,
      `Dir::Etc::sourcelist "${root}/sources.list";`,
      `Dir::Etc::sourceparts "${root}/sources.list.d";`,
      `Dir::Etc::preferencesparts "${root}/preferences.d";`,
      // Downloads land in root-only directories.
      `APT::Sandbox::User "root";`,
      "",
    ].join("\n"),
  );
  return conf;
}

function install(binary: string, build: string): void {
  mkdirSync(LOCAL_SBIN, { recursive: true });
  const temporary = `${INSTALLED}.new`;
  copyFileSync(binary, temporary);
  chmodSync(temporary, 0o755);
  renameSync(temporary, INSTALLED);
  mkdirSync(dirname(CRIU_MARKER), { recursive: true });
  writeFileSync(CRIU_MARKER, `${build}\n`);
}
