import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ConflictError, Env, NotFoundError, BadRequestError, type EnvState, type Session } from "@terrarium/sdk";
import { Redmine, type Issue } from "../simulators/redmine/tasks/lib/redmine-api.js";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);

const stateOf = (session: Session): Promise<EnvState> => session.envs[0]!.getState();
const changeCount = (state: EnvState) => state.dbs.reduce((n, db) => n + db.changes.length, 0) + state.files.length;

const TICKETS = 'fossil sql -R /data/project.fossil "SELECT title FROM ticket ORDER BY title"';
const addTicket = (title: string) =>
  `fossil ticket add -R /data/project.fossil title '${title}' status Open type Code_Defect`;

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
    await expect(session.diskSnapshot({ overrideService: "fossil", overrideVersion: "x1" })).rejects.toThrow(
      /no environment here runs "fossil"/,
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
});
