import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, Env, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

/** A Julian day number (as SQLite and Fossil store times) as a Date. */
const fromJulianDay = (day: number) => new Date((day - 2440587.5) * 86_400_000);

describe("set_date moves the clock an environment's app, its database and its commands see", () => {
  let t: TestServer;
  let session: Session;
  const realYear = () => String(new Date().getUTCFullYear());
  const run = async (alias: string, command: string) => {
    const result = await session.getEnv(alias)!.execute(command);
    expect(result.exitCode, `${alias}: ${command}: ${result.stderr}`).toBe(0);
    return result.stdout.trim();
  };
  // Each app's database, asked for its own clock through its own client inside the environment.
  const databaseNow = {
    pm: () =>
      run(
        "pm",
        `setpriv --reuid=postgres --regid=postgres --init-groups psql -h /var/run/postgresql -At -c 'SELECT now()'`,
      ),
    wiki: () => run("wiki", `mariadb -N -e 'SELECT NOW()'`),
  };

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({
      envs: [
        Env.simulator("fossil", { alias: "forge" }),
        Env.simulator("redmine", { alias: "pm" }),
        Env.simulator("mediawiki", { alias: "wiki" }),
      ],
    });
    await session.waitForReady({ timeout: 300 });
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("runs on the real time while no date is set", async () => {
    for (const alias of ["forge", "pm", "wiki"]) expect(await run(alias, "date -u +%Y")).toBe(realYear());
    expect(await databaseNow.pm()).toMatch(new RegExp(`^${realYear()}-`));
    expect(await databaseNow.wiki()).toMatch(new RegExp(`^${realYear()}-`));
  });

  it("moves every environment of a session whose image opts in: commands, Fossil's tickets, MariaDB's NOW()", async () => {
    const { results } = await session.setDate(new Date("2031-05-04T10:00:00Z"));
    // Redmine does not opt in (libfaketime slows its Ruby down): it says so, and keeps the real time.
    const pm = session.getEnv("pm")!;
    expect(results[pm.jobId]).toMatchObject({ success: false, error: expect.stringMatching(/cannot be moved/) });
    expect(await run("pm", "date -u +%Y")).toBe(realYear());
    expect(await databaseNow.pm()).toMatch(new RegExp(`^${realYear()}-`));
    for (const env of session.envs.filter((e) => e.alias !== "pm")) {
      const result = results[env.jobId]!;
      expect(result, env.alias).toMatchObject({ success: true });
      // The command's own output: the environment's date once every process has read it.
      expect(result.stdout, env.alias).toMatch(/^2031-05-04T10:00:0\d\.\d{3}Z$/m);
      expect(await run(env.alias, "date -u +%F")).toBe("2031-05-04");
    }

    await run("forge", "fossil ticket add -R /data/project.fossil title 'Due in 2031' status Open");
    const forge = session.getEnv("forge")!;
    const changes = (await forge.getState()).dbs[0]!.changes;
    const ticket = changes.find((c) => c.table === "ticket" && c.after?.title === "Due in 2031");
    expect(ticket, JSON.stringify(changes.map((c) => c.table))).toBeDefined();
    expect(fromJulianDay(Number(ticket!.after!.tkt_ctime)).toISOString()).toMatch(/^2031-05-04T10:0/);

    // The database server started long before the date was set: it reads it again on its own.
    expect(await databaseNow.wiki()).toMatch(/^2031-05-04 10:0\d:/);
  });

  it("moves one environment through its job, a date with a UTC offset, backwards too", async () => {
    const wiki = session.getEnv("wiki")!;
    const result = await wiki.setDate("2020-02-29T12:00:00+01:00");
    expect(result).toMatchObject({ success: true });
    expect(result.stdout).toMatch(/^2020-02-29T11:00:0\d\.\d{3}Z$/m);
    expect(await databaseNow.wiki()).toMatch(/^2020-02-29 11:0\d:/);
    // MariaDB still waits as long as it is asked to when its clock went back.
    expect(await run("wiki", `mariadb -N -e 'SELECT SLEEP(1), NOW()'`)).toMatch(/^0\t2020-02-29 11:0\d:/);
    // The other environments keep their own clock.
    expect(await run("forge", "date -u +%F")).toBe("2031-05-04");
  });

  it("answers Plato's shapes: per job under the session's id, the bare result for a job", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${t.server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const forge = session.getEnv("forge")!;
    const bare = await post(`/api/v2/jobs/${forge.jobId}/set_date`, { datetime: "2031-05-04T10:00:00" });
    expect(bare.status).toBe(200);
    // Without a UTC offset (Python's naive datetime.isoformat(), as Plato's SDK sends it) it is UTC.
    expect(await bare.json()).toEqual({
      success: true,
      stdout: expect.stringMatching(/^2031-05-04T10:00/),
      stderr: "",
    });
    const whole = await post(`/api/v2/sessions/${session.sessionId}/set_date`, {
      datetime: "2031-05-04T10:00:00Z",
      timeout: 60,
    });
    const answer = (await whole.json()) as { session_id: string; results: Record<string, { success: boolean }> };
    expect(answer.session_id).toBe(session.sessionId);
    expect(Object.keys(answer.results).sort()).toEqual(session.envs.map((e) => e.jobId).sort());
  });

  it("refuses a date in a wrong format with 400 naming the field", async () => {
    const post = (body: unknown) =>
      fetch(`${t.server.url}/api/v2/sessions/${session.sessionId}/set_date`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const cases: [unknown, RegExp][] = [
      [{}, /body\.datetime/],
      [
        { datetime: "tomorrow" },
        /body\.datetime: "tomorrow" is not an ISO 8601 date and time; write e\.g\. 2031-05-04T10:00:00Z/,
      ],
      [{ datetime: "2031-05-04" }, /body\.datetime: .*not an ISO 8601 date and time/],
      [{ datetime: "2031-02-30T10:00:00Z" }, /body\.datetime: .*not a valid date and time/],
      [{ datetime: "1969-07-20T20:17:00Z" }, /body\.datetime: .*before 1970-01-02/],
      [{ datetime: "2031-05-04T10:00:00Z", timeout: 0 }, /body\.timeout/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const error = await session.setDate("04/05/2031").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(/datetime: "04\/05\/2031" is not an ISO 8601 date and time/);
    await expect(session.setDate(new Date("not a date"))).rejects.toThrow(/the Date is invalid/);
  });

  it("a memory snapshot keeps the date; one booted from a disk snapshot runs on the real time", async () => {
    const forge = session.getEnv("forge")!;
    expect(await run("forge", "date -u +%F")).toBe("2031-05-04");
    const memory = await forge.snapshot();
    const disk = await forge.diskSnapshot();
    expect(memory, memory.error).toMatchObject({ success: true });
    expect(disk, disk.error).toMatchObject({ success: true });
    const copies = await t.client.sessions.create({
      envs: [
        Env.artifact(memory.artifactId!, { alias: "resumed" }),
        Env.artifact(disk.artifactId!, { alias: "booted" }),
      ],
    });
    try {
      const year = async (alias: string) => (await copies.getEnv(alias)!.execute("date -u +%Y")).stdout.trim();
      expect(await year("resumed")).toBe("2031");
      expect(await year("booted")).toBe(realYear());
    } finally {
      await copies.close();
    }
  });

  it("a reset brings back the real time", async () => {
    const { results } = await session.reset();
    for (const env of session.envs) expect(results[env.jobId]?.success, env.alias).toBe(true);
    for (const alias of ["forge", "pm", "wiki"]) expect(await run(alias, "date -u +%Y")).toBe(realYear());
    expect(await databaseNow.pm()).toMatch(new RegExp(`^${realYear()}-`));
    expect(await databaseNow.wiki()).toMatch(new RegExp(`^${realYear()}-`));
  });
});
