// Snapshot figures, each beside a baseline measured in the same run (server without pool, ready
// artifacts off, so a create boots):
// - disk snapshot of redmine after 3 issues filed over its REST API, beside `podman commit --pause` of
//   the same container by CLI (rounds alternate);
// - memory snapshot of mediawiki (env.snapshot()) and a create from it (Env.artifact(id), until
//   ready), beside a cold create of mediawiki (boot until ready); after one round not kept, so image
//   and page caches are warm for all three alike;
// - where the time goes: the runtime's commit, checkpoint and restore calls inside the API's time, and
//   each Podman API call inside those (the checkpoint call is CRIU's dump plus Podman writing its
//   archive; a restore call is CRIU's restore); the archive's size raw and compressed, and what zstd
//   and the sha256 check of the archive cost.
// Writes bench/results/snapshots.json and prints a table. Figures, not assertions.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { Env, Terrarium, type Environment } from "@terrarium/sdk";
import { benchServer, type BenchServer } from "./server.js";
import { Probe, medianCalls, type Spent } from "./probe.js";
import { figure, target, timed, saveFigures, type Figure } from "./stats.js";

const run = promisify(execFile);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 7));
/** The redmine admin's REST API key (simulators/redmine/README.md). */
const REDMINE_ADMIN_KEY = "43c1048bd6092718796e7efe496f56fe486f71de";
process.env.TERRARIUM_READY_BOOT_MS = "off";

const round1 = (n: number) => Math.round(n * 10) / 10;
const mb = (bytes: number) => Math.round((bytes / 1e6) * 10) / 10;

async function inspect(container: string, format: string): Promise<string> {
  return (await run("podman", ["inspect", "-f", format, container])).stdout.trim();
}

const containerOf = (env: Environment) => `terrarium-${env.jobId}`;

async function fileSha256(file: string): Promise<void> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
}

/**
 * What a checkpoint archive holds, and what its steps outside CRIU cost when done alone: tarring the
 * environment's changed files (its overlay upper layer), compressing, hashing, and unpacking the
 * archive (as Podman does first when it imports one).
 */
async function archiveFacts(archive: string, upperDir: string, scratch: string) {
  const tar = join(scratch, "archive.tar");
  const unpacked = join(scratch, "unpacked");
  try {
    const [rootfsTarMs] = await timed(() =>
      run("tar", ["-C", upperDir, "--numeric-owner", "-cf", join(scratch, "rootfs.tar"), "."]),
    );
    const [decompressMs] = await timed(() => run("zstd", ["-q", "-d", "-f", "-o", tar, archive]));
    const [compressMs] = await timed(() => run("zstd", ["-q", "-1", "-f", "-o", `${tar}.zst`, tar]));
    const [sha256Ms] = await timed(() => fileSha256(archive));
    mkdirSync(unpacked);
    const [unpackMs] = await timed(() => run("tar", ["-C", unpacked, "-xf", tar]));
    const { stdout } = await run("tar", ["-tvf", tar], { maxBuffer: 64 * 1024 * 1024 });
    let memory = 0;
    let rootfs = 0;
    for (const line of stdout.split("\n")) {
      const fields = line.trim().split(/\s+/);
      const size = Number(fields[2]);
      const name = fields[fields.length - 1] ?? "";
      if (/pages-\d+\.img$/.test(name)) memory += size;
      else if (/rootfs-diff\.tar$/.test(name)) rootfs += size;
    }
    return {
      archive_mb: mb(statSync(archive).size),
      uncompressed_mb: mb(statSync(tar).size),
      memory_pages_mb: mb(memory),
      rootfs_diff_mb: mb(rootfs),
      tar_changed_files_ms: round1(rootfsTarMs),
      zstd_compress_ms: round1(compressMs),
      zstd_decompress_ms: round1(decompressMs),
      sha256_check_ms: round1(sha256Ms),
      unpack_ms: round1(unpackMs),
    };
  } finally {
    for (const file of readdirSync(scratch)) rmSync(join(scratch, file), { recursive: true, force: true });
  }
}

/** Files 3 issues in redmine's "dispatch" project through its REST API. */
async function fileIssues(address: string): Promise<void> {
  for (let i = 1; i <= 3; i++) {
    const response = await fetch(`http://${address}:3000/issues.json`, {
      method: "POST",
      headers: { "x-redmine-api-key": REDMINE_ADMIN_KEY, "content-type": "application/json" },
      body: JSON.stringify({ issue: { project_id: "dispatch", subject: `Bench issue ${i}`, tracker_id: 1 } }),
    });
    if (response.status !== 201)
      throw new Error(`redmine: POST /issues.json: ${response.status} ${await response.text()}`);
  }
}

async function diskFigures(client: Terrarium, probe: Probe) {
  const session = await client.sessions.create({ envs: [Env.simulator("redmine", { alias: "pm" })] });
  const pm = session.getEnv("pm")!;
  const snapshot: number[] = [];
  const spent: Spent[] = [];
  const cli: number[] = [];
  let imageMb = 0;
  let changedMb = 0;
  try {
    await fileIssues(await inspect(containerOf(pm), "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"));
    // What a commit copies: the environment's changed files (its overlay upper layer).
    const upperDir = await inspect(containerOf(pm), "{{.GraphDriver.Data.UpperDir}}");
    changedMb = mb(Number((await run("du", ["-sb", upperDir])).stdout.split(/\s/)[0]));
    for (let round = 0; round < ROUNDS; round++) {
      const terrarium = async () => {
        const [ms, snap, window] = await probe.measure(() => pm.diskSnapshot());
        if (!snap.success) throw new Error(`disk snapshot of redmine failed: ${snap.error}`);
        snapshot.push(ms);
        spent.push(probe.spent(window.from, window.to));
        imageMb = mb((await client.artifacts.retrieve(snap.artifactId!)).size);
        await client.artifacts.remove(snap.artifactId!);
      };
      const podman = async () => {
        const image = `localhost/benchtest-commit:${process.pid}-${round}`;
        const args = ["commit", "--pause", "--format", "oci", "-q", containerOf(pm), image];
        cli.push((await timed(() => run("podman", args)))[0]);
        await run("podman", ["rmi", "-f", image]);
      };
      // Alternate which goes first, so neither always meets the other's leftovers.
      for (const step of round % 2 ? [podman, terrarium] : [terrarium, podman]) await step();
      process.stderr.write(`disk snapshot round ${round + 1}/${ROUNDS}\n`);
    }
  } finally {
    await session.close();
  }
  const disk = figure("disk snapshot (redmine, 3 issues filed)", snapshot, {
    operation: "podman commit --pause (CLI)",
    samples: cli,
  });
  return {
    figure: disk,
    split: {
      median_ms: disk.median_ms,
      calls_median_ms: medianCalls(spent),
      image_size_mb: imageMb,
      changed_files_mb: changedMb,
      note: "commit: the runtime's commit (Podman's POST /commit of the paused container, its layer copied, plus inspects); the rest is the API round trip and the store",
    },
  };
}

async function memoryFigures(client: Terrarium, probe: Probe, home: string) {
  const source = await client.sessions.create({ envs: [Env.simulator("mediawiki", { alias: "wiki" })] });
  const wiki = source.getEnv("wiki")!;
  const samples = { snapshot: [] as number[], restore: [] as number[], boot: [] as number[] };
  const spent = { snapshot: [] as Spent[], restore: [] as Spent[] };
  let facts: Awaited<ReturnType<typeof archiveFacts>> | undefined;
  const scratch = mkdtempSync(join(tmpdir(), "benchtest-archive-"));
  try {
    // Round 0 warms the caches and is not kept.
    for (let round = 0; round <= ROUNDS; round++) {
      const keep = round > 0;
      const [snapshotMs, snap, window] = await probe.measure(() => wiki.snapshot());
      if (!snap.success) throw new Error(`memory snapshot of mediawiki failed: ${snap.error}`);
      const artifactId = snap.artifactId!;
      if (keep) {
        samples.snapshot.push(snapshotMs);
        spent.snapshot.push(probe.spent(window.from, window.to));
      }
      if (round === 1) {
        const file = readdirSync(join(home, "artifacts")).find((f) => f.startsWith(artifactId));
        const upperDir = await inspect(containerOf(wiki), "{{.GraphDriver.Data.UpperDir}}");
        if (file) facts = await archiveFacts(join(home, "artifacts", file), upperDir, scratch);
      }

      const restore = async () => {
        const spec = { envs: [Env.artifact(artifactId, { alias: "wiki" })] };
        const [ms, restored, restoreWindow] = await probe.measure(() => client.sessions.create(spec));
        await restored.close();
        if (!keep) return;
        samples.restore.push(ms);
        spent.restore.push(probe.spent(restoreWindow.from, restoreWindow.to));
      };
      const boot = async () => {
        const [ms, booted] = await timed(() =>
          client.sessions.create({ envs: [Env.simulator("mediawiki", { alias: "wiki" })] }),
        );
        await booted.close();
        if (keep) samples.boot.push(ms);
      };
      for (const step of round % 2 ? [boot, restore] : [restore, boot]) await step();
      await client.artifacts.remove(artifactId);
      process.stderr.write(`memory snapshot round ${round}/${ROUNDS}${keep ? "" : " (warm-up)"}\n`);
    }
  } finally {
    await source.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const bootBaseline = { operation: "cold create (boot until ready)", samples: samples.boot };
  const snapshot = figure("memory snapshot (mediawiki)", samples.snapshot, bootBaseline);
  const restore = figure("create from a memory snapshot (mediawiki), until ready", samples.restore, bootBaseline);
  return {
    figures: [snapshot, restore],
    split: {
      snapshot: {
        median_ms: snapshot.median_ms,
        calls_median_ms: medianCalls(spent.snapshot),
        note: "checkpoint: the runtime's whole checkpoint: it closes the environment's TCP connections, has Podman checkpoint it (POST .../checkpoint: CRIU's dump, the container stops, Podman writes its archive), tars the changed files, repacks and compresses the archive (zstd -1), and resumes it in place (POST .../restore: CRIU's restore). The rest is fsync, sha256 and the API round trip",
      },
      restore: {
        median_ms: restore.median_ms,
        calls_median_ms: medianCalls(spent.restore),
        note: "restore: the runtime's restore, streaming the decompressed archive to Podman (POST .../restore (import): Podman unpacks it, creates the container, applies the changed files, then CRIU restores; the same CRIU restore without the import is the snapshot's resume in place). Before it the archive's sha256 is checked; after it the host name is set, readiness checked and the state baseline taken (GET .../archive of the tracked files)",
      },
      archive: facts ?? null,
    },
  };
}

async function main(): Promise<void> {
  let bench: BenchServer | undefined;
  const figures: Figure[] = [];
  const targets = [];
  const split: Record<string, unknown> = {};
  try {
    bench = await benchServer({ poolSize: 0 });
    const { server, client, home } = bench;
    const probe = new Probe().runtime(server.runtime, ["commit", "checkpoint", "restore"]).podmanApi(server.runtime);
    const disk = await diskFigures(client, probe);
    figures.push(disk.figure);
    targets.push(target(disk.figure, 1000));
    split.disk_snapshot = disk.split;
    const health = await client.health();
    if (health.capabilities.memory_snapshots) {
      const memory = await memoryFigures(client, probe, home);
      figures.push(...memory.figures);
      targets.push(target(memory.figures[0]!, 1500), target(memory.figures[1]!, 1000));
      split.memory_snapshot = memory.split.snapshot;
      split.restore = memory.split.restore;
      split.archive = memory.split.archive;
    } else {
      split.memory_snapshot = `skipped: ${health.capabilities.memory_snapshots_reason}`;
    }
  } finally {
    await bench?.stop();
  }
  saveFigures("snapshots", "snapshots", ROUNDS, figures, { targets, where_the_time_goes: split });
}

await main();
