// Warm pool figures, ratios measured in the same run:
// - create -> ready of a fossil session with the pool warm (the pool is settled before each round, so
//   every create finds a ready environment), with the pool off (a second server in the same process,
//   poolSize 0), raw `podman run` until the app's port answers HTTP 200 (the cold baseline), and a
//   create from a memory artifact of fossil on the server without pool (a restore instead of a boot);
// - reset of a fossil session with the pool warm vs off.
// Rounds alternate between all of them so drift on this shared machine hits each alike. A hand-over's
// time is split into the Podman calls it waits for (rename, host name) and the rest (two API round
// trips, the store), with an API round trip of its own beside it. Ready artifacts are off, so "pool
// off" boots. Writes bench/results/pool.json and prints a table. Figures, not assertions.
import { Env, type Session } from "@terrarium/sdk";
import { simulatorImage } from "@terrarium/server";
import { benchServer, podmanRunUntilHttpOk, type BenchServer } from "./server.js";
import { Probe } from "./probe.js";
import { figure, median, target, timed, saveFigures } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const image = simulatorImage("fossil", "latest");
const fossil = (alias: string) => ({ envs: [Env.simulator("fossil", { alias })] });
// A server without pool resumes a slow-booting image's ready artifact instead of booting it: the
// baselines here are boots.
process.env.TERRARIUM_READY_BOOT_MS = "off";

const tenths = (ms: number) => Math.round(ms * 10) / 10;
const readyInPool = (s: BenchServer) => Object.values(s.server.pool.status()).reduce((n, k) => n + k.ready, 0);

/** The server's own time for a reset, from its outcome message ("reset in 42 ms (warm pool)"). */
function serverResetMs(session: Session, results: Record<string, { message?: string }>): number | undefined {
  const message = results[session.envs[0]!.jobId]?.message ?? "";
  const match = /reset in (\d+) ms/.exec(message);
  return match ? Number(match[1]) : undefined;
}

async function main(): Promise<void> {
  let warm: BenchServer | undefined;
  let cold: BenchServer | undefined;
  const create = { warm: [] as number[], cold: [] as number[], podman: [] as number[], restore: [] as number[] };
  const reset = { warm: [] as number[], cold: [] as number[], warmServer: [] as number[] };
  const split = { createPodman: [] as number[], resetPodman: [] as number[], roundTrip: [] as number[] };
  const handedOver = { create: 0, reset: 0 };
  let artifactId: string | undefined;
  let restoreSkipped: string | undefined;
  try {
    warm = await benchServer({ poolSize: 2 });
    cold = await benchServer({ poolSize: 0 });
    const handOver = ["renameEnvironment", "setHostname", "connectNetwork"] as const;
    const probe = new Probe().runtime(warm.server.runtime, [...handOver]);
    const inHandOver = (label: string) => (handOver as readonly string[]).includes(label);
    // The first create of a kind asks the pool to keep that kind warm; it and one of each other path
    // also warm the image caches before anything is measured.
    await (await warm.client.sessions.create(fossil("first"))).close();
    await (await cold.client.sessions.create(fossil("first"))).close();
    await podmanRunUntilHttpOk(image, 8080);
    const health = await cold.client.health();
    if (health.capabilities.memory_snapshots) {
      const origin = await cold.client.sessions.create(fossil("origin"));
      const snap = await origin.getEnv("origin")!.snapshot();
      await origin.close();
      if (!snap.success) throw new Error(`memory snapshot of fossil failed: ${snap.error}`);
      artifactId = snap.artifactId!;
      await (await cold.client.sessions.create({ envs: [Env.artifact(artifactId, { alias: "first" })] })).close();
    } else {
      restoreSkipped = `this host cannot checkpoint memory: ${health.capabilities.memory_snapshots_reason}`;
    }

    for (let round = 0; round < ROUNDS; round++) {
      await warm.server.pool.settled();
      const before = readyInPool(warm);
      const [warmMs, onWarm, createWindow] = await probe.measure(() => warm!.client.sessions.create(fossil("forge")));
      create.warm.push(warmMs);
      split.createPodman.push(probe.spent(createWindow.from, createWindow.to, inHandOver).wall);
      split.roundTrip.push((await timed(() => onWarm.details()))[0]);
      if (readyInPool(warm) < before) handedOver.create++;
      const [coldMs, onCold] = await timed(() => cold!.client.sessions.create(fossil("forge")));
      create.cold.push(coldMs);
      create.podman.push(await podmanRunUntilHttpOk(image, 8080));
      if (artifactId) {
        const spec = { envs: [Env.artifact(artifactId, { alias: "forge" })] };
        const [restoreMs, restored] = await timed(() => cold!.client.sessions.create(spec));
        create.restore.push(restoreMs);
        await restored.close();
      }

      await warm.server.pool.settled();
      const [warmResetMs, warmReset, resetWindow] = await probe.measure(() => onWarm.reset());
      reset.warm.push(warmResetMs);
      split.resetPodman.push(probe.spent(resetWindow.from, resetWindow.to, inHandOver).wall);
      const serverMs = serverResetMs(onWarm, warmReset.results);
      if (/warm pool/.test(warmReset.results[onWarm.envs[0]!.jobId]?.message ?? "")) handedOver.reset++;
      if (serverMs !== undefined) reset.warmServer.push(serverMs);
      reset.cold.push((await timed(() => onCold.reset()))[0]);
      await onWarm.close();
      await onCold.close();
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
    if (artifactId) await cold.client.artifacts.remove(artifactId);
  } finally {
    await warm?.stop();
    await cold?.stop();
  }

  const podmanBaseline = { operation: "podman run until HTTP 200", samples: create.podman };
  const createWarm = figure("create -> ready (fossil), pool warm", create.warm, {
    operation: "pool off",
    samples: create.cold,
  });
  const resetWarm = figure("reset (fossil), pool warm", reset.warm, { operation: "pool off", samples: reset.cold });
  const figures = [
    createWarm,
    figure("create -> ready (fossil), pool warm, beside podman", create.warm, podmanBaseline),
    figure("create -> ready (fossil), pool off", create.cold, podmanBaseline),
    ...(create.restore.length > 0
      ? [figure("create from a memory artifact (fossil), pool off", create.restore, podmanBaseline)]
      : []),
    resetWarm,
    figure("reset (fossil), pool off", reset.cold, podmanBaseline),
  ];
  saveFigures("pool", "warm-pool", ROUNDS, figures, {
    targets: [target(createWarm, 100), target(resetWarm, 150)],
    handed_over_by_the_pool: { create: `${handedOver.create}/${ROUNDS}`, reset: `${handedOver.reset}/${ROUNDS}` },
    where_the_time_goes: {
      create_pool_warm: {
        median_ms: createWarm.median_ms,
        podman_calls_of_the_hand_over_median_ms: tenths(median(split.createPodman)),
        api_round_trip_median_ms: tenths(median(split.roundTrip)),
        note: "the SDK's create is two API calls (make, then wait for ready); the hand-over renames the pooled container and sets its host name, in parallel",
      },
      reset_pool_warm: {
        median_ms: resetWarm.median_ms,
        server_side_median_ms: reset.warmServer.length > 0 ? median(reset.warmServer) : null,
        podman_calls_median_ms: tenths(median(split.resetPodman)),
        note: "the old environment is renamed, then the pooled one renamed and given the host name; the old one is removed in the background",
      },
    },
    ...(restoreSkipped ? { restore_skipped: restoreSkipped } : {}),
  });
}

await main();
