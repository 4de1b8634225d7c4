// Environment proxy and browser login figures, ratios measured in the same run:
// - per-request latency of a small GET through the proxy vs straight to the container's port
//   (both with kept-alive connections, alternating rounds so machine noise hits both alike);
// - download time of 64 MiB through the proxy vs straight;
// - session.login(browser) time per simulator (fossil, redmine, mediawiki) with Debian's Chromium.
// The echo environment is test/fixtures/simulators/echo.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { Env, Terrarium } from "@terrarium/sdk";
import { loadConfig, setupSteps, startServer } from "@terrarium/server";
import { figure, timed, type Figure, saveFigures } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = 200;
const DOWNLOAD = 64 * 1024 * 1024;
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixtures = join(root, "test", "fixtures", "simulators");

function containerAddress(jobId: string): string {
  const format = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}";
  return execFileSync("podman", ["inspect", "-f", format, `terrarium-${jobId}`], { encoding: "utf8" }).trim();
}

/** Mean milliseconds of `REQUESTS` sequential small GETs. */
async function perRequest(url: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await (await fetch(url)).arrayBuffer();
  return (performance.now() - started) / REQUESTS;
}

async function download(url: string): Promise<number> {
  const [ms, bytes] = await timed(async () => (await (await fetch(url)).arrayBuffer()).byteLength);
  if (bytes !== DOWNLOAD) throw new Error(`downloaded ${bytes} bytes, not ${DOWNLOAD}`);
  return ms;
}

async function proxyFigures(home: string): Promise<Figure[]> {
  for (const step of setupSteps({ simulatorsDir: fixtures, simulators: ["echo"] }).slice(3))
    if (await step.check()) await step.run(() => undefined);
  const server = await startServer(
    loadConfig({ home, port: 0, proxyPort: 0, logLevel: "warn", simulatorsDir: fixtures }),
  );
  const client = new Terrarium({ baseUrl: server.url });
  const session = await client.sessions.create({ envs: [Env.simulator("echo", { alias: "echo" })] });
  try {
    const viaProxy = (await session.getPublicUrl()).echo!;
    const direct = `http://${containerAddress(session.envs[0]!.jobId)}:8000/`;
    const small = { proxy: [] as number[], direct: [] as number[] };
    const big = { proxy: [] as number[], direct: [] as number[] };
    await perRequest(new URL("/whoami", viaProxy).toString()); // warm both paths
    await perRequest(new URL("/whoami", direct).toString());
    for (let round = 0; round < ROUNDS; round++) {
      small.direct.push(await perRequest(new URL("/whoami", direct).toString()));
      small.proxy.push(await perRequest(new URL("/whoami", viaProxy).toString()));
      big.direct.push(await download(new URL(`/bytes?n=${DOWNLOAD}`, direct).toString()));
      big.proxy.push(await download(new URL(`/bytes?n=${DOWNLOAD}`, viaProxy).toString()));
      process.stderr.write(`proxy: round ${round + 1}/${ROUNDS}\n`);
    }
    return [
      figure("GET /whoami through the proxy (per request)", small.proxy, {
        operation: "straight to the container",
        samples: small.direct,
      }),
      figure("64 MiB download through the proxy", big.proxy, {
        operation: "straight to the container",
        samples: big.direct,
      }),
    ];
  } finally {
    await session.close();
    await client.close();
    await server.close();
  }
}

async function loginFigures(home: string): Promise<Figure[]> {
  const server = await startServer(loadConfig({ home, port: 0, proxyPort: 0, logLevel: "warn" }));
  const client = new Terrarium({ baseUrl: server.url });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
  const aliases = { forge: "fossil", pm: "redmine", wiki: "mediawiki" } as const;
  const session = await client.sessions.create({
    envs: Object.entries(aliases).map(([alias, simulator]) => Env.simulator(simulator, { alias })),
  });
  try {
    const samples: Record<string, number[]> = { forge: [], pm: [], wiki: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const alias of Object.keys(aliases)) {
        const [ms, { context }] = await timed(() => session.login(browser, { aliases: [alias] }));
        samples[alias]!.push(ms);
        await context.close();
      }
      process.stderr.write(`login: round ${round + 1}/${ROUNDS}\n`);
    }
    return Object.entries(aliases).map(([alias, simulator]) =>
      figure(`session.login(browser), ${simulator}`, samples[alias]!),
    );
  } finally {
    await browser.close();
    await session.close();
    await client.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), "terrarium-bench-"));
  const figures: Figure[] = [];
  try {
    figures.push(...(await proxyFigures(join(home, "proxy"))));
    figures.push(...(await loginFigures(join(home, "login"))));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  saveFigures("proxy", "proxy-and-login", ROUNDS, figures);
}

await main();
