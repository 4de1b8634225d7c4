// State capture figures for each engine, ratios measured in the same run:
// - getState() latency with 0, 100 and 10,000 changed rows, as a ratio to the empty state
//   (fossil for SQLite; bare PostgreSQL and MariaDB set up for capture, from test/fixtures);
// - write throughput with capture on vs off: PostgreSQL with and without the job's logical
//   replication slot, MariaDB with the binary log on and off (sql_log_bin) for the writing session.
//   SQLite capture diffs snapshots and adds nothing to writes, so it has no such figure.
// - the same latencies on the real apps, redmine (PostgreSQL) and mediawiki (MariaDB), and redmine's own
//   write throughput through its REST API (issues filed by alice) with the slot present vs dropped.
// Rows are written with each engine's own client inside the environment: this measures capture.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Env, Terrarium, type Environment } from "@terrarium/sdk";
import { loadConfig, setupSteps, startServer } from "@terrarium/server";
import { figure, median, timed, type Figure, saveFigures } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIZES = [0, 100, 10_000];
const WRITES = 2000;
const APP_WRITES = 60;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Engine {
  simulator: string;
  label: string;
  /** A shell command writing `n` new rows. */
  writeRows(n: number): string;
  /** The seconds `writes` writes take, capture on or off. */
  writeLoad?(env: Environment, captureOn: boolean): Promise<number>;
  /** How many writes one `writeLoad` makes, and what they are. */
  writes?: { count: number; what: string };
}

const run = async (env: Environment, command: string) => {
  const result = await env.execute(command, { timeout: 600 });
  if (result.exitCode !== 0) throw new Error(`${command}: ${result.stderr || result.stdout}`);
  return result.stdout;
};

const engines: Engine[] = [
  {
    simulator: "fossil",
    label: "SQLite (fossil)",
    writeRows: (n) =>
      `sqlite3 /data/project.fossil "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < ${n}) INSERT INTO config(name, value, mtime) SELECT 'bench-' || x, 'v', 0 FROM s"`,
  },
  {
    simulator: "pg-capture",
    label: "PostgreSQL",
    writeRows: (n) =>
      `psql -q -d app -c "INSERT INTO items (name, price) SELECT 'bench ' || x, x FROM generate_series(1, ${n}) x"`,
    async writeLoad(env, captureOn) {
      if (!captureOn)
        await run(env, `psql -q -d app -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"`);
      await run(
        env,
        `printf 'UPDATE items SET price = price + 1 WHERE id = 1;\\nINSERT INTO items (name) VALUES (\\047w\\047);\\n' > /tmp/w.sql`,
      );
      const out = await run(env, `pgbench -n -f /tmp/w.sql -t ${WRITES} -c 1 app`);
      return WRITES / Number(/tps = ([\d.]+)/.exec(out)![1]);
    },
    writes: { count: WRITES, what: "writes" },
  },
  {
    simulator: "mariadb-capture",
    label: "MariaDB",
    writeRows: (n) =>
      `mysql app -e "INSERT INTO revision (id, page_id, comment) SELECT 1000 + seq, 1, 'bench' FROM seq_1_to_${n}"`,
    async writeLoad(env, captureOn) {
      const sql =
        `${captureOn ? "" : "SET sql_log_bin = 0;\n"}DROP PROCEDURE IF EXISTS w;\nDELIMITER //\n` +
        `CREATE PROCEDURE w() BEGIN DECLARE i INT DEFAULT 0; WHILE i < ${WRITES} DO ` +
        `INSERT INTO page (id, title) VALUES (100000 + i, CONCAT('P', i)); UPDATE page SET title = 'x' WHERE id = 1; SET i = i + 1; END WHILE; END//\n` +
        `DELIMITER ;\nDELETE FROM page WHERE id >= 100000; SELECT NOW(6) INTO @a; CALL w(); SELECT TIMESTAMPDIFF(MICROSECOND, @a, NOW(6)) / 1e6;`;
      const out = await run(env, `mysql -N app -e "${sql}"`);
      return Number(out.trim().split("\n").pop());
    },
    writes: { count: WRITES, what: "writes" },
  },
  {
    simulator: "redmine",
    label: "PostgreSQL (redmine)",
    writeRows: (n) =>
      `runuser -u postgres -- psql -q -d redmine -c "INSERT INTO journals (journalized_id, journalized_type, user_id, notes, created_on, private_notes) SELECT 1, 'Issue', 5, 'bench ' || x, now(), false FROM generate_series(1, ${n}) x"`,
    async writeLoad(env, captureOn) {
      if (!captureOn)
        await run(
          env,
          `runuser -u postgres -- psql -q -d redmine -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"`,
        );
      const base = `http://${environmentAddress(env)}:3000`;
      const started = performance.now();
      for (let i = 0; i < APP_WRITES; i++) {
        const response = await fetch(`${base}/issues.json`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-redmine-api-key": REDMINE_ALICE_KEY },
          body: JSON.stringify({ issue: { project_id: "dispatch", tracker_id: 1, subject: `Bench issue ${i}` } }),
        });
        if (response.status !== 201) throw new Error(`redmine: POST /issues.json answered ${response.status}`);
        await response.arrayBuffer();
      }
      return (performance.now() - started) / 1000;
    },
    writes: { count: APP_WRITES, what: "issues filed through the REST API" },
  },
  {
    simulator: "mediawiki",
    label: "MariaDB (mediawiki)",
    writeRows: (n) =>
      `mysql wikidb -e "INSERT INTO watchlist (wl_user, wl_namespace, wl_title) SELECT 1, 0, CONCAT('Bench_', seq) FROM seq_1_to_${n}"`,
  },
];

/** alice's documented API key (simulators/redmine/README.md). */
const REDMINE_ALICE_KEY = "ea772078475384da42815b1183852681f2bb2bb9";

/** The environment's address on its session network, as Podman reports it. */
function environmentAddress(env: Environment): string {
  const format = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}";
  return execFileSync("podman", ["inspect", "-f", format, `terrarium-${env.jobId}`], { encoding: "utf8" }).trim();
}

async function main(): Promise<void> {
  const fixtures = join(root, "test", "fixtures", "simulators");
  for (const step of setupSteps({ simulatorsDir: fixtures }).slice(3))
    if (await step.check()) await step.run(() => undefined);
  const home = mkdtempSync(join(tmpdir(), "terrarium-bench-"));
  const figures: Figure[] = [];
  const configs = [
    { dir: join(root, "simulators"), names: ["fossil", "redmine", "mediawiki"] },
    { dir: fixtures, names: ["pg-capture", "mariadb-capture"] },
  ];
  try {
    for (const { dir, names } of configs) {
      const server = await startServer(
        loadConfig({ home, port: 0, proxyPort: 0, logLevel: "warn", simulatorsDir: dir }),
      );
      const client = new Terrarium({ baseUrl: server.url });
      try {
        for (const engine of engines.filter((e) => names.includes(e.simulator))) {
          figures.push(...(await measure(client, engine)));
        }
      } finally {
        await client.close();
        await server.close();
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  saveFigures("state", "state-capture", ROUNDS, figures);
}

async function measure(client: Terrarium, engine: Engine): Promise<Figure[]> {
  const session = await client.sessions.create({ envs: [Env.simulator(engine.simulator, { alias: "db" })] });
  const env = session.getEnv("db")!;
  const latency = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const on: number[] = [];
  const off: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const size of SIZES) {
        await session.reset();
        if (size > 0) await run(env, engine.writeRows(size));
        const [ms, state] = await timed(() => env.getState());
        const changes = state.dbs[0]!.changes.length;
        if (changes < size) throw new Error(`${engine.label}: ${changes} changes reported for ${size} rows written`);
        latency.get(size)!.push(ms);
      }
      if (engine.writeLoad) {
        await session.reset();
        on.push(await engine.writeLoad(env, true));
        await session.reset();
        off.push(await engine.writeLoad(env, false));
      }
      process.stderr.write(`${engine.label}: round ${round + 1}/${ROUNDS}\n`);
    }
  } finally {
    await session.close();
  }
  const empty = { operation: `${engine.label}: getState, 0 changed rows`, samples: latency.get(0)! };
  const figures = SIZES.map((size) =>
    size === 0
      ? figure(empty.operation, empty.samples)
      : figure(`${engine.label}: getState, ${size} changed rows`, latency.get(size)!, empty),
  );
  if (on.length > 0) {
    const ms = (s: number[]) => s.map((x) => x * 1000);
    figures.push(
      figure(`${engine.label}: ${engine.writes!.count} ${engine.writes!.what}, capture on`, ms(on), {
        operation: "capture off",
        samples: ms(off),
      }),
    );
    process.stderr.write(`${engine.label}: write time ratio on/off ${(median(on) / median(off)).toFixed(2)}\n`);
  }
  return figures;
}

await main();
