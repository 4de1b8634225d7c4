import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import {
  ConflictError,
  Env,
  NotFoundError,
  BadRequestError,
  Session,
  type EnvState,
  type Terrarium,
} from "@terrarium/sdk";
import { Redmine, type Issue } from "../simulators/redmine/tasks/lib/redmine-api.js";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);

const stateOf = (session: Session): Promise<EnvState> => session.envs[0]!.getState();
const changeCount = (state: EnvState) => state.dbs.reduce((n, db) => n + db.changes.length, 0) + state.files.length;

const TICKETS = 'fossil sql -R /data/project.fossil "SELECT title FROM ticket ORDER BY title"';
const addTicket = (title: string) =>
  `fossil ticket add -R /data/project.fossil title '${title}' status Open type Code_Defect`;
/** Debian's Chromium, installed by `terrarium setup`. */
const CHROMIUM = "/usr/bin/chromium";
const exists = (image: string) =>
  run("podman", ["image", "exists", image]).then(
    () => true,
    () => false,
  );
/** A name no other run uses: a simulator published under a new name is a name in Podman's shared store. */
const uniqueName = (name: string) => `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
const catalogEntry = async (client: Terrarium, name: string) =>
  (await client.simulators.list()).find((s) => s.name === name);

describe("disk snapshots and artifacts", () => {
  let t: TestServer;
  const published: string[] = [];

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
    for (const image of published) await run("podman", ["rmi", "-f", image]).catch(() => undefined);
  });

  it("publishes a redmine disk snapshot as a new version whose sessions show the issue and start with an empty state", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("redmine", { alias: "pm" })] });
    const api = new Redmine(`http://${await environmentAddress(session.envs[0]!.jobId)}:3000`);
    const subject = `Snapshot me ${Date.now()}`;
    await api.post("/issues.json", { issue: { project_id: "dispatch", subject, tracker_id: 1 } });
    const version = `snap-${Date.now().toString(36)}`;
    const { results } = await session.diskSnapshot({ overrideService: "redmine", overrideVersion: version });
    const snap = results[session.envs[0]!.jobId]!;
    expect(snap.error).toBeUndefined();
    expect(snap).toMatchObject({ success: true, memory: false, publishedAs: `redmine:${version}` });
    published.push(`localhost/terrarium/redmine:${version}`);

    // The source keeps running and keeps its own state.
    expect((await stateOf(session)).dbs[0]!.changes.some((c) => c.table === "public.issues" && c.op === "insert")).toBe(
      true,
    );

    const artifact = await t.client.artifacts.retrieve(snap.artifactId!);
    expect(artifact).toMatchObject({
      kind: "disk",
      simulator: "redmine",
      parentArtifactId: null,
      publishedAs: `redmine:${version}`,
      sourceJobId: session.envs[0]!.jobId,
      lineage: [],
    });
    expect(artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(artifact.size).toBeGreaterThan(0);

    const again = await t.client.sessions.create({ envs: [Env.simulator("redmine", { tag: version })] });
    const copy = new Redmine(`http://${await environmentAddress(again.envs[0]!.jobId)}:3000`);
    const issues = await copy.get<{ issues: Issue[] }>(
      `/issues.json?subject=${encodeURIComponent(subject)}&status_id=*`,
    );
    expect(issues.issues.map((i) => i.subject)).toEqual([subject]);
    expect(changeCount(await stateOf(again))).toBe(0);

    // A version is immutable, and `latest` belongs to the set-up.
    await expect(session.diskSnapshot({ overrideVersion: version })).rejects.toThrow(ConflictError);
    await expect(session.diskSnapshot({ overrideVersion: "latest" })).rejects.toThrow(BadRequestError);
    // Another simulator with a folder is not a name to publish under.
    await expect(session.diskSnapshot({ overrideService: "fossil", overrideVersion: "x1" })).rejects.toThrow(
      /"fossil" is a simulator of this server .* publish it under a new name, or as a version of redmine/,
    );
    await again.close();
    await session.close();
  });

  it("boots an artifact fresh from its disk, resets to the artifact, and records lineage", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const forge = session.getEnv("forge")!;
    expect((await forge.execute(addTicket("From the snapshot"))).exitCode).toBe(0);
    const snap = await forge.diskSnapshot();
    expect(snap.success).toBe(true);

    const restored = await t.client.sessions.create({
      envs: [Env.artifact(snap.artifactId!, { alias: "copy", restoreMemory: false })],
    });
    const copy = restored.getEnv("copy")!;
    expect(copy.artifactId).toBe(snap.artifactId);
    expect((await copy.execute(TICKETS)).stdout).toContain("From the snapshot");
    expect(changeCount(await stateOf(restored))).toBe(0);

    // Work in the copy, then reset: back to the artifact (the ticket stays), not to the simulator.
    expect((await copy.execute(addTicket("After the restore"))).exitCode).toBe(0);
    expect(changeCount(await stateOf(restored))).toBeGreaterThan(0);
    const reset = await restored.reset();
    expect(Object.values(reset.results).every((r) => r.success)).toBe(true);
    const tickets = (await copy.execute(TICKETS)).stdout;
    expect(tickets).toContain("From the snapshot");
    expect(tickets).not.toContain("After the restore");
    expect(changeCount(await stateOf(restored))).toBe(0);

    // A snapshot of the copy descends from the artifact.
    expect((await copy.execute(addTicket("Second generation"))).exitCode).toBe(0);
    const child = await copy.diskSnapshot();
    const details = await t.client.artifacts.retrieve(child.artifactId!);
    expect(details.parentArtifactId).toBe(snap.artifactId);
    expect(details.lineage).toEqual([{ artifactId: snap.artifactId, kind: "disk", removed: false }]);
    expect((await t.client.artifacts.retrieve(snap.artifactId!)).children).toEqual([child.artifactId]);
    const listed = (await t.client.artifacts.list()).map((a) => a.artifactId);
    expect(listed).toEqual(expect.arrayContaining([snap.artifactId, child.artifactId]));

    // An artifact an open environment started from cannot go; once it is closed it can.
    await expect(t.client.artifacts.remove(snap.artifactId!)).rejects.toThrow(ConflictError);
    await restored.close();
    await t.client.artifacts.remove(child.artifactId!);
    await t.client.artifacts.remove(snap.artifactId!);
    await expect(t.client.artifacts.retrieve(snap.artifactId!)).rejects.toThrow(NotFoundError);
    const { stdout } = await run("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    expect(stdout).not.toContain(snap.artifactId!);
    await session.close();
  });

  it("removing a published version's artifact removes the version, refused while an environment runs it", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const forge = session.getEnv("forge")!;
    expect((await forge.execute(addTicket("Published"))).exitCode).toBe(0);
    const version = `pub-${Date.now().toString(36)}`;
    const image = `localhost/terrarium/fossil:${version}`;
    published.push(image);
    const snap = await forge.diskSnapshot({ overrideVersion: version });
    expect(snap).toMatchObject({ success: true, publishedAs: `fossil:${version}` });
    await session.close();

    // The catalog lists the version with the artifact it was published from.
    const fossil = async () => (await t.client.simulators.list()).find((s) => s.name === "fossil")!;
    const catalog = await fossil();
    expect(catalog.tags).toEqual(expect.arrayContaining(["latest", catalog.version, version]));
    expect(catalog.published).toContainEqual({ tag: version, artifactId: snap.artifactId });

    const user = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "copy", tag: version })] });
    expect((await user.getEnv("copy")!.execute(TICKETS)).stdout).toContain("Published");
    const refusal = await t.client.artifacts.remove(snap.artifactId!).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as Error).message).toContain(`fossil:${version}`);
    expect((refusal as Error).message).toContain(user.envs[0]!.jobId);
    await user.close();

    await t.client.artifacts.remove(snap.artifactId!);
    await expect(run("podman", ["image", "exists", image])).rejects.toThrow();
    const after = await fossil();
    expect(after.tags).not.toContain(version);
    expect(after.published.map((p) => p.tag)).not.toContain(version);
    const unknown = await t.client.sessions
      .create({ envs: [Env.simulator("fossil", { tag: version })] })
      .catch((e: unknown) => e);
    // An unknown tag is not found, and the error lists the tags that exist.
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as Error).message).toContain(`"${version}"`);
    expect((unknown as Error).message).toContain(`latest`);
    expect((unknown as Error).message).toContain(catalog.version);
  });

  it("answers 404 for an unknown artifact, in the catalog and when making a session", async () => {
    const before = (await t.client.sessions.list()).length;
    await expect(t.client.artifacts.retrieve("a_doesnotexist")).rejects.toThrow(NotFoundError);
    await expect(
      t.client.sessions.create({ envs: [Env.artifact("a_doesnotexist", { restoreMemory: false })] }),
    ).rejects.toThrow(/unknown artifact "a_doesnotexist"/);
    expect(await t.client.sessions.list()).toHaveLength(before);
  });

  it("publishes the seed's disk_snapshot(override_service, override_version) as a new simulator that starts with the source's data and manifest", async () => {
    const service = uniqueName("my-service");
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const forge = session.getEnv("forge")!;
    expect((await forge.execute(addTicket("Kept by my-service"))).exitCode).toBe(0);

    // The seed's example, at session level: the session's one environment is published as the new name.
    const { results } = await session.diskSnapshot({ overrideService: service, overrideVersion: "v1.0.0" });
    const snap = results[forge.jobId]!;
    expect(snap.error).toBeUndefined();
    expect(snap).toMatchObject({ success: true, publishedAs: `${service}:v1.0.0` });
    expect(await exists(`localhost/terrarium/${service}:v1.0.0`)).toBe(true);
    await session.close();

    // The catalog lists it, marked with where it came from, with the source's manifest.
    const fossil = (await catalogEntry(t.client, "fossil"))!;
    const listed = (await catalogEntry(t.client, service))!;
    expect(listed).toMatchObject({
      name: service,
      version: "v1.0.0",
      appPort: fossil.appPort,
      ports: fossil.ports,
      built: true,
      tags: ["v1.0.0"],
      published: [{ tag: "v1.0.0", artifactId: snap.artifactId }],
      accounts: fossil.accounts,
      publishedFrom: { simulator: "fossil", version: fossil.version, artifactId: snap.artifactId },
    });
    expect(listed.datasets.map((d) => d.name)).toEqual(["base"]);
    expect(fossil.publishedFrom).toBeNull();

    // Env.simulator(name, { tag }) starts it: the source's data, state capture, login.
    const copy = await t.client.sessions.create({ envs: [Env.simulator(service, { alias: "copy", tag: "v1.0.0" })] });
    const env = copy.getEnv("copy")!;
    expect(copy.envs[0]!.simulator).toBe(service);
    expect((await env.execute(TICKETS)).stdout).toContain("Kept by my-service");
    expect(changeCount(await env.getState())).toBe(0);
    expect((await env.execute(addTicket("Filed in my-service"))).exitCode).toBe(0);
    const ticket = (await env.getState()).dbs[0]!.changes.find((c) => c.table === "ticket");
    expect(ticket).toMatchObject({ op: "insert", after: { title: "Filed in my-service" } });
    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const { pages, context } = await copy.login(browser);
      expect(await pages.copy!.locator(".mainmenu").innerText()).toContain("Logout");
      await context.close();
    } finally {
      await browser.close();
    }
    // Reset goes back to the published version, not to fossil's seed.
    await copy.reset();
    const tickets = (await env.execute(TICKETS)).stdout;
    expect(tickets).toContain("Kept by my-service");
    expect(tickets).not.toContain("Filed in my-service");

    // Removing the artifact removes the simulator, refused while an environment runs it.
    await expect(t.client.artifacts.remove(snap.artifactId!)).rejects.toThrow(ConflictError);
    await copy.close();
    await t.client.artifacts.remove(snap.artifactId!);
    expect(await exists(`localhost/terrarium/${service}:v1.0.0`)).toBe(false);
    expect(await catalogEntry(t.client, service)).toBeUndefined();
    await expect(t.client.sessions.create({ envs: [Env.simulator(service, { tag: "v1.0.0" })] })).rejects.toThrow(
      new RegExp(`unknown simulator "${service}"`),
    );
  });

  it("refuses only real conflicts of a publication, saying how to resolve each, and publishes nothing then", async () => {
    const service = uniqueName("svc");
    const session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("fossil", { alias: "mirror" })],
    });
    const forge = session.getEnv("forge")!;
    const refusal = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e as Error);

    // A new name for a session of two environments: which one? The environment's own call says.
    const several = await refusal(session.diskSnapshot({ overrideService: service, overrideVersion: "v1" }));
    expect(several).toBeInstanceOf(ConflictError);
    expect(several!.message).toMatch(/only one of the 2 environments here \(forge: fossil, mirror: fossil\)/);
    expect(several!.message).toContain("POST /api/v2/jobs/{job_id}/disk_snapshot");
    // Both as a version of fossil would be the same version.
    const twice = await refusal(session.diskSnapshot({ overrideVersion: "v1" }));
    expect(twice).toBeInstanceOf(ConflictError);
    expect(twice!.message).toContain('several environments run "fossil"');

    // Another simulator with a folder, and Terrarium's base image, are not names to publish under.
    const folder = await refusal(forge.diskSnapshot({ overrideService: "redmine", overrideVersion: "v1" }));
    expect(folder).toBeInstanceOf(ConflictError);
    expect(folder!.message).toContain(
      'publish it under a new name, or as a version of fossil (override_service "fossil"',
    );
    const base = await refusal(forge.diskSnapshot({ overrideService: "base", overrideVersion: "v1" }));
    expect(base).toBeInstanceOf(ConflictError);
    expect(base!.message).toContain("localhost/terrarium/base holds images that are not a simulator");

    // Invalid names and overrides without a version are bad requests naming the field.
    for (const [body, field] of [
      [{ overrideService: "My_Service", overrideVersion: "v1" }, "override_service"],
      [{ overrideService: service, overrideVersion: "v1", overrideDataset: "Not Valid" }, "override_dataset"],
      [{ overrideDataset: "blank" }, "override_version"],
      [{ overrideService: service }, "override_version"],
    ] as const) {
      const bad = await refusal(forge.diskSnapshot(body));
      expect(bad, JSON.stringify(body)).toBeInstanceOf(BadRequestError);
      expect(bad!.message).toContain(field);
    }
    expect(await catalogEntry(t.client, service)).toBeUndefined();
    const made = (await t.client.artifacts.list()).filter((a) => session.envs.some((e) => e.jobId === a.sourceJobId));
    expect(made).toEqual([]);

    // One environment of several, by its own call; then that version exists and is immutable.
    const snap = await forge.diskSnapshot({ overrideService: service, overrideVersion: "v1" });
    expect(snap).toMatchObject({ success: true, publishedAs: `${service}:v1` });
    const again = await refusal(
      session.getEnv("mirror")!.diskSnapshot({ overrideService: service, overrideVersion: "v1" }),
    );
    expect(again).toBeInstanceOf(ConflictError);
    expect(again!.message).toContain(`${service} already has a version "v1"; versions are immutable`);
    // A new version of it from a fossil environment is fine, so is a version of fossil itself.
    const next = await session.getEnv("mirror")!.diskSnapshot({ overrideService: service, overrideVersion: "v2" });
    expect(next).toMatchObject({ success: true, publishedAs: `${service}:v2` });
    expect((await catalogEntry(t.client, service))!.tags).toEqual(["v1", "v2"]);
    await session.close();

    // A redmine environment cannot join a simulator published from fossil: it keeps one manifest.
    const pm = await t.client.sessions.create({ envs: [Env.simulator("redmine", { alias: "pm" })] });
    const other = await refusal(pm.diskSnapshot({ overrideService: service, overrideVersion: "v3" }));
    expect(other).toBeInstanceOf(ConflictError);
    expect(other!.message).toContain(`"${service}" was published from fossil and this environment runs redmine`);
    await pm.close();
    for (const artifact of [snap, next]) await t.client.artifacts.remove(artifact.artifactId!);
    expect(await catalogEntry(t.client, service)).toBeUndefined();
  });
});

describe("a simulator published under a new name, across a restart", () => {
  const home = mkdtempSync(join(tmpdir(), "terrarium-test-"));
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const t of servers.reverse()) await t.stop();
  });

  it("is still in the catalog and starts, with an environment running it re-attached, and needs no folder", async () => {
    const service = uniqueName("restarted");
    const first = await startTestServer({}, home);
    servers.push(first);
    const session = await first.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    expect((await session.getEnv("forge")!.execute(addTicket("Survives restarts"))).exitCode).toBe(0);
    const snap = await session.getEnv("forge")!.diskSnapshot({ overrideService: service, overrideVersion: "v1.0.0" });
    expect(snap.success).toBe(true);
    await session.close();
    const running = await first.client.sessions.create({
      envs: [Env.simulator(service, { alias: "running", tag: "v1.0.0" })],
    });
    running.stopHeartbeat();
    await first.stop({ keepHome: true });
    servers.pop();

    const t = await startTestServer({}, home);
    servers.push(t);
    expect(await catalogEntry(t.client, service)).toMatchObject({
      publishedFrom: { simulator: "fossil", artifactId: snap.artifactId },
      tags: ["v1.0.0"],
    });
    // The environment that ran through the restart still has its manifest: state capture works.
    const kept = await Session.load(running.dump(), { client: t.client });
    const env = kept.getEnv("running")!;
    expect((await env.execute(addTicket("After the restart"))).exitCode).toBe(0);
    expect((await env.getState()).dbs[0]!.changes.some((c) => c.table === "ticket" && c.op === "insert")).toBe(true);
    await kept.close();
    const fresh = await t.client.sessions.create({ envs: [Env.simulator(service, { alias: "fresh", tag: "v1.0.0" })] });
    expect((await fresh.getEnv("fresh")!.execute(TICKETS)).stdout).toContain("Survives restarts");
    await fresh.close();
  });
});
