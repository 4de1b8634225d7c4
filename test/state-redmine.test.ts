import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webLogin } from "@terrarium/server";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

// Redmine's REST answers are loosely typed JSON: read them as such in this test client.
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Redmine's REST API as a client would use it, authenticated with a user's API key. */
class RedmineApi {
  constructor(
    readonly base: string,
    private readonly key: string,
  ) {}

  async call(method: string, path: string, body?: unknown, type = "application/json"): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method,
      headers: { "x-redmine-api-key": this.key, "content-type": type },
      body:
        body === undefined
          ? undefined
          : body instanceof Uint8Array
            ? new Blob([new Uint8Array(body)])
            : JSON.stringify(body),
    });
  }

  async json(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await this.call(method, path, body);
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as Json);
  }
}

/** alice's key: sha1("terrarium-redmine-api:alice"), documented in simulators/redmine/README.md. */
const ALICE_KEY = "ea772078475384da42815b1183852681f2bb2bb9";
const ALICE = 5;
const SEEDED_ISSUES = 44;

describe("getState on redmine (PostgreSQL logical decoding)", () => {
  let t: TestServer;
  let session: Session;
  let base: string;
  let api: RedmineApi;
  const stateOf = async (options?: { mergeMutations?: boolean }): Promise<EnvState> => {
    const { results } = await session.getState(options);
    const result = results[session.envs[0]!.jobId]!;
    if (!result.state) throw new Error(result.error);
    return result.state;
  };
  const summary = (state: EnvState) =>
    state.dbs[0]!.changes.map((c) => `${c.op} ${c.table} ${JSON.stringify(c.pk)}`).sort();

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({ envs: [Env.simulator("redmine", { alias: "pm" })] });
    base = `http://${await environmentAddress(session.envs[0]!.jobId)}:3000`;
    api = new RedmineApi(base, ALICE_KEY);
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("starts empty, and a web login is no mutation once the noise rules apply", async () => {
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const login = await webLogin(base, "/login", "bob", "bob-password");
    expect(login.ok, login.detail).toBe(true);
    const db = (await stateOf()).dbs[0]!;
    expect(db.changes).toEqual([]);
    // What the rules hid is reported: the session token and the login time stamp.
    expect(db.ignored!.rows).toBeGreaterThanOrEqual(2);
    expect(db.ignored!.rules).toEqual(
      expect.arrayContaining(["column:public.users.last_login_on", "row:tokens[action=session]"]),
    );
  });

  it("reports exactly the rows an issue created and moved to In Progress through the REST API changes", async () => {
    const created = (
      await api.json("POST", "/issues.json", {
        issue: { project_id: "dispatch", tracker_id: 1, priority_id: 3, subject: "Retry webhooks on 502" },
      })
    ).issue;
    expect(created.id).toBe(SEEDED_ISSUES + 1);
    await api.json("PUT", `/issues/${created.id}.json`, { issue: { status_id: 2, notes: "Taking this." } });

    const db = (await stateOf()).dbs[0]!;
    expect(db.capture.method).toBe("logical");
    const tables = Object.fromEntries(db.changes.map((c) => [`${c.op} ${c.table}`, c]));
    expect(Object.keys(tables).sort()).toEqual([
      "insert public.issues",
      "insert public.journal_details",
      "insert public.journals",
      "insert public.watchers",
      // Redmine remembers the project alice last filed in: a real, persistent preference change.
      "update public.user_preferences",
    ]);
    expect(db.changes).toHaveLength(5);
    // Net changes: the insert carries the issue as it is now, status included.
    expect(tables["insert public.issues"]).toMatchObject({
      pk: { id: created.id },
      before: null,
      after: { subject: "Retry webhooks on 502", project_id: 1, status_id: 2, author_id: ALICE, priority_id: 3 },
    });
    const journal = tables["insert public.journals"]!;
    expect(journal.after).toMatchObject({
      journalized_type: "Issue",
      journalized_id: created.id,
      notes: "Taking this.",
    });
    expect(tables["insert public.journal_details"]!.after).toMatchObject({
      journal_id: journal.pk.id,
      property: "attr",
      prop_key: "status_id",
      old_value: "1",
      value: "2",
    });
    expect(tables["insert public.watchers"]!.after).toMatchObject({ watchable_id: created.id, user_id: ALICE });
    expect(tables["update public.user_preferences"]!.changed).toEqual(["others"]);

    // The log keeps every step of the issue: its insert as filed (Redmine then updates its place in the
    // issue tree), and last the status change.
    const log = (await stateOf({ mergeMutations: false })).dbs[0]!.changes.filter((c) => c.table === "public.issues");
    expect(log[0]).toMatchObject({ op: "insert", after: { status_id: 1 } });
    expect(log.slice(1).every((c) => c.op === "update")).toBe(true);
    const last = log.at(-1)!;
    expect(last.changed).toEqual(expect.arrayContaining(["status_id", "updated_on", "lock_version"]));
    expect(last).toMatchObject({ before: { status_id: 1 }, after: { status_id: 2 } });
  });

  it("folds an issue created and then deleted out of the net changes, and keeps it in the log", async () => {
    const before = summary(await stateOf());
    const doomed = (
      await api.json("POST", "/issues.json", { issue: { project_id: "dispatch", tracker_id: 1, subject: "Typo" } })
    ).issue;
    await api.json("DELETE", `/issues/${doomed.id}.json`);

    const net = await stateOf();
    expect(net.dbs[0]!.changes.some((c) => c.table === "public.issues" && c.pk.id === doomed.id)).toBe(false);
    expect(summary(net).filter((line) => !before.includes(line))).toEqual([]);
    const log = (await stateOf({ mergeMutations: false })).dbs[0]!.changes.filter(
      (c) => c.table === "public.issues" && c.pk.id === doomed.id,
    );
    expect(log[0]!.op).toBe("insert");
    expect(log.at(-1)!.op).toBe("delete");
  });

  it("reports an attachment as an attachments row and a new file with its size and checksum", async () => {
    const content = new TextEncoder().encode("stack trace:\n  at Dispatcher.retry (dispatch.rb:42)\n");
    const upload = await api.call("POST", "/uploads.json?filename=trace.txt", content, "application/octet-stream");
    expect(upload.status).toBe(201);
    const token = ((await upload.json()) as Json).upload.token;
    await api.json("PUT", "/issues/1.json", {
      issue: { uploads: [{ token, filename: "trace.txt", content_type: "text/plain" }] },
    });

    const state = await stateOf();
    const attachment = state.dbs[0]!.changes.find((c) => c.table === "public.attachments");
    expect(attachment).toMatchObject({
      op: "insert",
      after: { filename: "trace.txt", filesize: String(content.length), container_type: "Issue", container_id: 1 },
    });
    // Redmine files attachments under YYYY/MM/: the new month folders are reported too.
    const now = new Date();
    const month = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(state.files.filter((f) => f.type === "dir").map((f) => f.path)).toEqual(
      expect.arrayContaining([`/var/lib/redmine/default/files/${month}`]),
    );
    const files = state.files.filter((f) => f.type === "file");
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file).toMatchObject({ op: "add", type: "file", after: { size: content.length } });
    expect(file.path).toContain(String(attachment!.after!.disk_filename));
    expect(file.after!.sha256).toBe(attachment!.after!.digest);
    expect(file.text?.after).toBe(new TextDecoder().decode(content));
  });

  it("reset empties the state and the app shows the seeded data again", async () => {
    await session.reset();
    base = `http://${await environmentAddress(session.envs[0]!.jobId)}:3000`;
    api = new RedmineApi(base, ALICE_KEY);
    const state = await stateOf();
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.files).toEqual([]);
    expect((await api.call("GET", `/issues/${SEEDED_ISSUES + 1}.json`)).status).toBe(404);
    const first = (await api.json("GET", "/issues/1.json?include=attachments")).issue;
    expect(first.attachments.map((a: Json) => a.filename)).not.toContain("trace.txt");
    expect((await api.json("GET", "/issues.json?status_id=*&limit=1")).total_count).toBe(SEEDED_ISSUES);
  });
});
