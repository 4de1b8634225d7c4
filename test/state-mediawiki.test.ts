import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

// MediaWiki's answers are deep, loosely typed JSON: read them as such in this test client.
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** MediaWiki's action API as a client would use it: login token, clientlogin, csrf token, edit. */
class WikiApi {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private async call(params: Record<string, string>, post = false): Promise<Json> {
    const body = new URLSearchParams({ format: "json", ...params });
    const response = await fetch(`${this.base}/api.php${post ? "" : `?${body}`}`, {
      method: post ? "POST" : "GET",
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: post ? body : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return (await response.json()) as Json;
  }

  async login(user: string, password: string): Promise<void> {
    const token = (await this.call({ action: "query", meta: "tokens", type: "login" })).query.tokens.logintoken;
    const answer = await this.call(
      { action: "clientlogin", username: user, password, logintoken: token, loginreturnurl: this.base },
      true,
    );
    if (answer.clientlogin?.status !== "PASS") throw new Error(`login failed: ${JSON.stringify(answer)}`);
  }

  async edit(title: string, change: { text: string } | { appendtext: string }, summary: string): Promise<Json> {
    const token = (await this.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
    const answer = await this.call({ action: "edit", title, ...change, summary, token }, true);
    if (answer.edit?.result !== "Success") throw new Error(`edit failed: ${JSON.stringify(answer)}`);
    return answer.edit;
  }
}

describe("getState on mediawiki (MariaDB binlog)", () => {
  let t: TestServer;
  let session: Session;
  const stateOf = async (): Promise<EnvState> => {
    const { results } = await session.getState();
    const result = results[session.envs[0]!.jobId]!;
    if (!result.state) throw new Error(result.error);
    return result.state;
  };

  /** The distinct "op table" pairs of a state, sorted. */
  const kinds = (changes: EnvState["dbs"][number]["changes"]) =>
    [...new Set(changes.map((c) => `${c.op} ${c.table}`))].sort();

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({ envs: [Env.simulator("mediawiki", { alias: "wiki" })] });
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("reports the page and revision a new page written through the API inserts, and reset removes them", async () => {
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const api = new WikiApi(`http://${await environmentAddress(session.envs[0]!.jobId)}`);
    await api.login("alice", "alice-password");
    expect((await stateOf()).dbs[0]!.changes).toEqual([]); // a login is not a mutation
    const edit = await api.edit("Release checklist", { text: "== Steps ==\n# Tag\n# Announce" }, "start the checklist");

    const state = await stateOf();
    const changes = state.dbs[0]!.changes;
    expect(kinds(changes)).toEqual([
      "insert wikidb.comment",
      "insert wikidb.content",
      "insert wikidb.log_search", // the page creation log entry
      "insert wikidb.logging",
      "insert wikidb.page",
      "insert wikidb.recentchanges",
      "insert wikidb.revision",
      "insert wikidb.revision_comment_temp",
      "insert wikidb.searchindex",
      "insert wikidb.slots",
      "insert wikidb.text",
      "insert wikidb.watchlist", // the author watches the page and its talk page
      "update wikidb.site_stats",
      "update wikidb.user", // alice's edit count
    ]);
    const page = changes.find((c) => c.table === "wikidb.page" && c.op === "insert");
    expect(page?.after).toMatchObject({ page_title: "Release_checklist", page_namespace: 0, page_id: edit.pageid });
    expect(changes.find((c) => c.table === "wikidb.revision" && c.op === "insert")?.after).toMatchObject({
      rev_page: edit.pageid,
      rev_id: edit.newrevid,
    });
    expect(changes.some((c) => c.table === "wikidb.text" && String(c.after?.old_text).includes("# Announce"))).toBe(
      true,
    );
    expect(state.dbs[0]!.capture.method).toBe("binlog");

    await session.reset();
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const html = await (
      await fetch(`http://${await environmentAddress(session.envs[0]!.jobId)}/index.php?title=Release_checklist`)
    ).text();
    expect(html).not.toContain("Announce");
  });

  it("reports an edit of a seeded page as a new revision and the page's updated pointers", async () => {
    const base = `http://${await environmentAddress(session.envs[0]!.jobId)}`;
    const api = new WikiApi(base);
    await api.login("bob", "bob-password");
    const edit = await api.edit("Glossary", { appendtext: "\n\n; SLA : Service level agreement." }, "define SLA");
    expect(edit.oldrevid).toBeGreaterThan(0);

    const changes = (await stateOf()).dbs[0]!.changes;
    expect(kinds(changes)).toEqual([
      "insert wikidb.comment",
      "insert wikidb.content",
      "insert wikidb.recentchanges",
      "insert wikidb.revision",
      "insert wikidb.revision_comment_temp",
      "insert wikidb.searchindex",
      "insert wikidb.slots",
      "insert wikidb.text",
      "insert wikidb.watchlist",
      "update wikidb.page",
      "update wikidb.site_stats",
      "update wikidb.user",
    ]);
    const page = changes.find((c) => c.table === "wikidb.page");
    expect(page).toMatchObject({ op: "update", pk: { page_id: edit.pageid }, after: { page_latest: edit.newrevid } });
    expect(page!.before).toMatchObject({ page_latest: edit.oldrevid });
    expect(page!.changed).toEqual(expect.arrayContaining(["page_latest", "page_len", "page_touched"]));
    const text = changes.find((c) => c.table === "wikidb.text");
    expect(String(text?.after?.old_text)).toMatch(/; SLA : Service level agreement\.$/);

    await session.reset();
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const after = `http://${await environmentAddress(session.envs[0]!.jobId)}`; // reset starts a new container
    const raw = await (await fetch(`${after}/index.php?title=Glossary&action=raw`)).text();
    expect(raw).toContain("; Runbook : step-by-step instructions for an alert.");
    expect(raw).not.toContain("Service level agreement");
  });
});
