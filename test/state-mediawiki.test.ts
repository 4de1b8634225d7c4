import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";
// The MediaWiki client the mediawiki tasks' solutions use.
import { WikiApi } from "../simulators/mediawiki/tasks/lib/wiki-api.js";

/** An edit over the action API; answers MediaWiki's edit result (page id, old and new revision ids). */
async function edit(
  api: WikiApi,
  title: string,
  change: { text: string } | { appendtext: string },
  summary: string,
): Promise<{ pageid: number; oldrevid: number; newrevid: number }> {
  const token = (await api.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
  const answer = await api.call({ action: "edit", title, ...change, summary, token }, true);
  if (answer.edit?.result !== "Success") throw new Error(`edit failed: ${JSON.stringify(answer)}`);
  return answer.edit;
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
    const created = await edit(
      api,
      "Release checklist",
      { text: "== Steps ==\n# Tag\n# Announce" },
      "start the checklist",
    );

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
    expect(page?.after).toMatchObject({ page_title: "Release_checklist", page_namespace: 0, page_id: created.pageid });
    expect(changes.find((c) => c.table === "wikidb.revision" && c.op === "insert")?.after).toMatchObject({
      rev_page: created.pageid,
      rev_id: created.newrevid,
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
    const appended = await edit(api, "Glossary", { appendtext: "\n\n; SLA : Service level agreement." }, "define SLA");
    expect(appended.oldrevid).toBeGreaterThan(0);

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
    expect(page).toMatchObject({
      op: "update",
      pk: { page_id: appended.pageid },
      after: { page_latest: appended.newrevid },
    });
    expect(page!.before).toMatchObject({ page_latest: appended.oldrevid });
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
