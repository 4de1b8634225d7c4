import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webLogin } from "@terrarium/server";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

// RT's REST 2 answers are loosely typed JSON: read them as such in this test client.
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** RT's REST 2 API as a client would use it, with a staff member's basic auth (simulators/helpdesk/README.md). */
class Rest2 {
  constructor(
    readonly base: string,
    private readonly login: string,
  ) {}

  async json(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await fetch(`${this.base}/REST/2.0${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${this.login}:${this.login}-password`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Json;
  }
}

/** Debian's Chromium, installed by `terrarium setup`. */
const CHROMIUM = "/usr/bin/chromium";
const SEEDED_TICKETS = 42;
const WEIGHT_LIMITS = "Route optimiser ignores our weight limits";

describe("getState on helpdesk (Request Tracker on PostgreSQL, outgoing mail as a Maildir)", () => {
  let t: TestServer;
  let session: Session;
  let browser: Browser;
  let base: string;
  let api: Rest2;
  const stateOf = async (options?: { mergeMutations?: boolean }): Promise<EnvState> => {
    const { results } = await session.getState(options);
    const result = results[session.envs[0]!.jobId]!;
    if (!result.state) throw new Error(result.error);
    return result.state;
  };
  const ticketId = async (subject: string): Promise<number> => {
    const found = await api.json("GET", `/tickets?query=${encodeURIComponent(`Subject = '${subject}'`)}`);
    expect(found.count).toBe(1);
    return Number(found.items[0].id);
  };

  beforeAll(async () => {
    t = await startTestServer();
    [session, browser] = await Promise.all([
      t.client.sessions.create({ envs: [Env.simulator("helpdesk", { alias: "hd" })] }),
      chromium.launch({ executablePath: CHROMIUM }),
    ]);
    base = `http://${await environmentAddress(session.envs[0]!.jobId)}`;
    api = new Rest2(base, "carol");
  });
  afterAll(async () => {
    await browser?.close();
    await session?.close();
    await t?.stop();
  });

  it("starts empty, and a web login is no mutation once the noise rules apply", async () => {
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const login = await webLogin(base, "/", "bob", "bob-password");
    expect(login.ok, login.detail).toBe(true);
    const db = (await stateOf()).dbs[0]!;
    expect(db.changes).toEqual([]);
    // What the rules hid is reported: the web session.
    expect(db.ignored!.rows).toBeGreaterThanOrEqual(1);
    expect(db.ignored!.rules).toEqual(expect.arrayContaining(["table:public.sessions"]));
  });

  it("logs in with Chromium through the proxy, and opening a ticket and its reply form is no mutation", async () => {
    const { pages, context } = await session.login(browser);
    try {
      const page = pages.hd!;
      expect(await page.locator("#preferences .current-user").innerText()).toBe("admin");
      const id = await ticketId(WEIGHT_LIMITS);
      await page.goto(`${new URL(page.url()).origin}/Ticket/Display.html?id=${id}`);
      await page.locator("#header h1").filter({ hasText: WEIGHT_LIMITS }).waitFor();
      // The reply form needs the user's AuthToken, made at build time (RT would write it at the first visit).
      await page.goto(`${new URL(page.url()).origin}/Ticket/Update.html?action=respond&id=${id}`);
      await page.locator("textarea[name=UpdateContent]").waitFor();
    } finally {
      await context.close();
    }
    const db = (await stateOf()).dbs[0]!;
    expect(db.changes).toEqual([]);
    expect(db.ignored!.rules).toEqual(
      expect.arrayContaining(["table:public.sessions", "row:attributes[name=RecentlyViewedTickets]"]),
    );
  });

  it("reports exactly the rows and the outgoing mail of a ticket assigned and answered through REST 2", async () => {
    const id = await ticketId(WEIGHT_LIMITS);
    await api.json("PUT", `/ticket/${id}`, { Owner: "bob", CustomFields: { Severity: "High" } });
    await api.json("POST", `/ticket/${id}/correspond`, {
      Content: "Hello Sofia,\n\nwe are looking into the weight limits.\n\nCarol",
      ContentType: "text/plain",
    });

    const state = await stateOf();
    const db = state.dbs[0]!;
    expect(db.capture.method).toBe("logical");
    const tables = [...new Set(db.changes.map((c) => `${c.op} ${c.table}`))].sort();
    expect(tables).toEqual([
      "delete public.cachedgroupmembers",
      "delete public.groupmembers",
      "insert public.attachments",
      "insert public.cachedgroupmembers",
      "insert public.groupmembers",
      "insert public.objectcustomfieldvalues",
      "insert public.transactions",
      // The seeded Severity (Normal) is retired: its row disabled, the new value a new row.
      "update public.objectcustomfieldvalues",
      "update public.tickets",
    ]);
    const bob = await api.json("GET", "/user/bob");
    const ticket = db.changes.find((c) => c.table === "public.tickets")!;
    expect(ticket).toMatchObject({ pk: { id }, before: { status: "new" }, after: { owner: bob.id, status: "open" } });
    expect(
      db.changes.find((c) => c.table === "public.objectcustomfieldvalues" && c.op === "insert")!.after,
    ).toMatchObject({
      objecttype: "RT::Ticket",
      objectid: String(id),
      content: "High",
    });
    const types = db.changes
      .filter((c) => c.table === "public.transactions")
      .map((c) => `${c.after!.type}${c.after!.field ? `:${c.after!.field}` : ""}`);
    expect(types).toEqual(expect.arrayContaining(["Set:Owner", "CustomField:3", "Correspond", "Status:Status"]));
    const reply = db.changes.find(
      (c) => c.table === "public.attachments" && String(c.after!.content).startsWith("Hello Sofia"),
    );
    expect(reply).toBeDefined();

    // The reply goes to the requestor and the notice of the new owner to bob: files in the outbox Maildir.
    const mail = state.files.filter((f) => f.op === "add");
    expect(mail.every((f) => f.path.startsWith("/var/spool/rt-outbox/sent/new/"))).toBe(true);
    const toSofia = mail.filter((f) => f.after!.message!.to.includes("sofia.costa@redline-haulage.example"));
    expect(toSofia).toHaveLength(1);
    expect(toSofia[0]!.after!.message).toMatchObject({
      mailbox: "sent",
      from: "support@kestrel.example",
      subject: `[kestrel.example #${id}] ${WEIGHT_LIMITS}`,
    });
    expect(toSofia[0]!.after!.message!.text).toContain("we are looking into the weight limits");
    expect(mail.some((f) => f.after!.message!.to.includes("bob@kestrel.example"))).toBe(true);
  });

  it("reset empties the state and the app shows the seeded data again", async () => {
    await session.reset();
    base = `http://${await environmentAddress(session.envs[0]!.jobId)}`;
    api = new Rest2(base, "carol");
    const state = await stateOf();
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.files).toEqual([]);
    const ticket = await api.json("GET", `/ticket/${await ticketId(WEIGHT_LIMITS)}`);
    expect(ticket).toMatchObject({ Status: "new", Owner: { id: "Nobody" } });
    const all = await api.json("GET", `/tickets?query=${encodeURIComponent("id > 0")}&per_page=100`);
    expect(all.total).toBe(SEEDED_TICKETS);
  });
});
