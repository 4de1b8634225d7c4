import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SerializedSession, type SessionInfo } from "@terrarium/sdk";
import { sessionIdIn, terrarium as run } from "./cli-run.js";
import { podmanContainers, startTestServer, waitFor, type TestServer } from "./helpers.js";

const TICKETS = "fossil sql -R /data/project.fossil 'SELECT count(*) FROM ticket'";

describe("terrarium sessions: make, use and close a session from the command line", () => {
  let t: TestServer;
  const terrarium = (...args: string[]) => run({ TERRARIUM_URL: t.server.url }, ...args);

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("makes, shows, runs commands in, inspects, resets and closes a session, by the ids it prints", async () => {
    const made = await terrarium("sessions", "make", "forge=fossil", "mirror=fossil:latest");
    expect(made.code, made.stderr).toBe(0);
    const id = sessionIdIn(made.stdout);
    expect(made.stdout).toMatch(/^forge +j_[a-z0-9]{12} +fossil:latest +http:\/\/j-[a-z0-9]{12}\.localhost:\d+\/$/m);
    expect(made.stdout).toContain(`terrarium sessions exec ${id} -- `);
    expect(made.stdout).toContain(`terrarium sessions close ${id}`);
    expect(made.stdout).toMatch(/no heartbeat timeout: it stays until it is closed/);
    const forgeJob = /^forge +(j_[a-z0-9]{12})/m.exec(made.stdout)![1]!;

    const shown = await terrarium("sessions", "show", id);
    expect(shown.stdout).toContain(`session ${id}: active`);
    expect(shown.stdout).toMatch(/^task +none/m);
    expect(shown.stdout).toMatch(new RegExp(`^forge +${forgeJob} +fossil:latest +running +never +\\S+ +http://`, "m"));
    expect(shown.stdout).toMatch(/^mirror +j_\w+ +fossil:latest +running +never/m);

    const everywhere = await terrarium("sessions", "exec", id, "--", "hostname");
    expect(everywhere.code, everywhere.stderr).toBe(0);
    expect(everywhere.stdout).toBe(
      `--- forge (${forgeJob}): exit 0\nforge\n--- mirror (${/^mirror +(j_\w+)/m.exec(made.stdout)![1]}): exit 0\nmirror\n`,
    );

    const added = await terrarium(
      "sessions",
      "exec",
      id,
      "--alias",
      "forge",
      `fossil ticket add -R /data/project.fossil title 'From sessions exec' status Open >/dev/null && ${TICKETS}`,
    );
    expect(added.code, added.stderr).toBe(0);
    const tickets = Number(added.stdout.trim()); // one alias: its output as it is, no header
    expect(tickets).toBeGreaterThan(0);

    const state = await terrarium("sessions", "state", id);
    expect(state.stdout).toMatch(new RegExp(`^forge \\(${forgeJob}\\)\\n[^]*ticket: 1 insert`, "m"));
    expect(state.stdout).toMatch(/^mirror \(j_\w+\)\n[^]*no changes since the start/m);

    const evaluated = await terrarium("sessions", "evaluate", id);
    expect(evaluated.code).toBe(2); // no task: nothing to evaluate against
    expect(evaluated.stderr).toMatch(/not made from a task/);

    const reset = await terrarium("sessions", "reset", id);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`forge (${forgeJob}): reset\n`);
    const after = await terrarium("sessions", "exec", id, "--alias", "forge", TICKETS);
    expect(Number(after.stdout.trim())).toBe(tickets - 1);

    const urls = await terrarium("sessions", "url", id);
    expect(urls.stdout).toMatch(new RegExp(`^forge +http://${forgeJob.replace("_", "-")}\\.localhost:\\d+/$`, "m"));
    expect((await terrarium("sessions", "urls", id, "--port", "8080")).stdout).toMatch(
      new RegExp(`^forge +http://${forgeJob.replace("_", "-")}--8080\\.localhost:\\d+/$`, "m"),
    );

    const listed = await terrarium("sessions", "ls");
    expect(listed.stdout).toMatch(/^SESSION +STATUS +CREATED +TASK +ENVIRONMENTS$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${id} +active +\\S+ +- +forge=fossil\\(running\\) mirror=fossil`, "m"));

    const closed = await terrarium("sessions", "close", id);
    expect(closed.stdout).toBe(`${id}: closed 2 environment(s)\n`);
    expect(await podmanContainers(id)).toEqual([]);
    expect((await terrarium("sessions", "show", id)).stdout).toMatch(/^forge +j_\w+ +fossil:latest +closed: closed/m);

    // The session's log stays readable once it is closed: every event, one page, one environment's.
    const logs = await terrarium("sessions", "logs", id);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/^ +\d+ +\S+ +- +created +session created with forge \(fossil\), mirror \(fossil\)$/m);
    expect(logs.stdout).toMatch(/^ +\d+ +\S+ +forge +execute +forge: exit 0 +\$ fossil ticket add /m);
    expect(logs.stdout).toMatch(/^ +\d+ +\S+ +- +closed +session closed \(closed\)$/m);
    const page = await terrarium("sessions", "logs", id, "--limit", "2", "--json");
    const answer = JSON.parse(page.stdout) as { events: { kind: string }[]; next_after: number | null };
    expect(answer.events.map((e) => e.kind)).toEqual(["created", "ready"]);
    expect(answer.next_after).toEqual(expect.any(Number));
    const own = await terrarium("sessions", "logs", id, "--job", forgeJob, "--json");
    expect((JSON.parse(own.stdout) as { events: { alias: string }[] }).events.every((e) => e.alias === "forge")).toBe(
      true,
    );
    const bad = await terrarium("sessions", "logs", id, "--limit", "0");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit.*a whole number from 1 to 1000/);
  });

  it("prints the SDK's answers with --json", async () => {
    const made = await terrarium("sessions", "make", "forge=fossil", "--json");
    expect(made.code, made.stderr).toBe(0);
    const dumped = SerializedSession.parse(JSON.parse(made.stdout)); // what Session.load takes
    expect(dumped).toMatchObject({ base_url: t.server.url, heartbeat: false, envs: [{ alias: "forge" }] });
    const id = dumped.session_id;
    const job = dumped.envs[0]!.job_id;

    const executed = JSON.parse((await terrarium("sessions", "exec", id, "--json", "echo hi")).stdout);
    expect(executed).toMatchObject({
      results: { [job]: { stdout: "hi\n", stderr: "", exitCode: 0, timedOut: false } },
    });
    const shown = JSON.parse((await terrarium("sessions", "show", id, "--json")).stdout) as SessionInfo;
    expect(shown).toMatchObject({ sessionId: id, status: "active", taskPublicId: null });
    expect(shown.envs[0]).toMatchObject({ jobId: job, alias: "forge", heartbeatTimeout: 0 });
    const listed = JSON.parse((await terrarium("sessions", "ls", "--json")).stdout) as SessionInfo[];
    expect(listed.map((s) => s.sessionId)).toContain(id);
    const state = JSON.parse((await terrarium("sessions", "state", id, "--json")).stdout);
    expect(state.results[job].state.dbs[0].changes).toEqual([]);
    const reset = JSON.parse((await terrarium("sessions", "reset", id, "--json")).stdout);
    expect(reset.results[job]).toMatchObject({ success: true });
    const urls = JSON.parse((await terrarium("sessions", "url", id, "--json")).stdout);
    expect(urls).toEqual({ forge: expect.stringMatching(/^http:\/\/j-\w+\.localhost:\d+\/$/) });
    const closed = JSON.parse((await terrarium("sessions", "close", id, "--json")).stdout);
    expect(closed).toEqual({ [id]: { results: { [job]: expect.objectContaining({ success: true }) } } });
  });

  it("exits non-zero when a command fails: its own exit code for one environment, 124 on a timeout, 1 for several", async () => {
    const id = sessionIdIn((await terrarium("sessions", "make", "forge=fossil", "mirror=fossil")).stdout);
    try {
      const one = await terrarium("sessions", "exec", id, "--alias", "forge", "echo out; echo err >&2; exit 3");
      expect(one).toEqual({ stdout: "out\n", stderr: "err\n", code: 3 });

      const slow = await terrarium("sessions", "exec", id, "--alias", "forge", "--timeout", "1", "sleep 30");
      expect(slow.code).toBe(124);
      expect(slow.stderr).toMatch(/forge \(j_\w+\): timed out after 1 s/);

      const some = await terrarium("sessions", "exec", id, "--", "test", "$(hostname)", "=", "forge");
      expect(some.code).toBe(1);
      expect(some.stdout).toMatch(/^--- forge \(j_\w+\): exit 0$/m);
      expect(some.stdout).toMatch(/^--- mirror \(j_\w+\): exit 1$/m);

      const unknown = await terrarium("sessions", "exec", id, "--alias", "wiki", "true");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/has no environment "wiki"; its aliases: forge, mirror/);
    } finally {
      await t.client.sessions.close(id);
    }
  });

  it("reads environments as ALIAS=SIMULATOR[:TAG] and says how when they are not", async () => {
    const tag = await terrarium("sessions", "make", "fossil:forge");
    expect(tag.code).toBe(2);
    expect(tag.stderr).toMatch(/"fossil:forge": fossil has no tag "forge" \(its tags: [^)]*latest[^)]*\)/);
    expect(tag.stderr).toMatch(/write forge=fossil/);
    const twice = await terrarium("sessions", "make", "fossil", "fossil");
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/both called "fossil": give each its own alias/);
    const unknown = await terrarium("sessions", "make", "forge=gitea");
    expect(unknown.stderr).toMatch(/"forge=gitea": unknown simulator "gitea"; the server has .*fossil/);
    const both = await terrarium("sessions", "make", "fossil", "--task", "fossil/count-open-storage-tickets");
    expect(both.stderr).toMatch(/environments or --task, not both/);
    const alias = await terrarium("sessions", "make", "Forge=fossil");
    expect(alias.code).toBe(2);
    expect(alias.stderr).toMatch(/"Forge=fossil": .*alias/);
    expect(await t.client.sessions.list()).toEqual([]); // nothing was made
  });

  it("makes a session from a task, lists its task, and evaluates it: exit 0 passed, 1 not passed", async () => {
    const made = await terrarium("sessions", "make", "--task", "fossil/count-open-storage-tickets");
    expect(made.code, made.stderr).toBe(0);
    const id = sessionIdIn(made.stdout);
    expect(made.stdout).toContain(`session ${id} from task fossil/count-open-storage-tickets`);
    try {
      expect((await terrarium("sessions", "ls")).stdout).toMatch(
        new RegExp(`^${id} +active +\\S+ +fossil/count-open-storage-tickets +forge=fossil`, "m"),
      );
      expect((await terrarium("sessions", "show", id)).stdout).toMatch(/^task +fossil\/count-open-storage-tickets$/m);
      const unanswered = await terrarium("sessions", "evaluate", id);
      expect(unanswered.code).toBe(1);
      expect(unanswered.stdout).toMatch(/^FAILURE /);
      const answered = await terrarium("sessions", "evaluate", id, "--value", "3");
      expect(answered.code, answered.stdout).toBe(0);
      expect(answered.stdout).toMatch(/^SUCCESS +score 1 /);
      const json = JSON.parse((await terrarium("sessions", "evaluate", id, "--value", "4", "--json")).stdout);
      expect(json).toMatchObject({ task_id: "fossil/count-open-storage-tickets", success: false });
    } finally {
      await t.client.sessions.close(id);
    }
  });

  it("keeps a session without a heartbeat timeout, and closes one with --heartbeat-timeout after it", async () => {
    const kept = sessionIdIn((await terrarium("sessions", "make", "fossil")).stdout);
    const short = sessionIdIn((await terrarium("sessions", "make", "fossil", "--heartbeat-timeout", "1")).stdout);
    try {
      const reaped = await waitFor(
        async () => {
          const info = await t.client.sessions.retrieve(short);
          return info.status === "closed" ? info : undefined;
        },
        30_000,
        "the session with a 1 s heartbeat timeout to be closed",
      );
      expect(reaped.envs[0]!.closeReason).toBe("heartbeat_timeout");
      const info = await t.client.sessions.retrieve(kept);
      expect(info.status).toBe("active");
      expect(info.envs[0]!.heartbeatTimeout).toBe(0);
    } finally {
      await t.client.sessions.close(kept);
    }
  });
});
