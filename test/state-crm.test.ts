import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { Tryton } from "../simulators/crm/tasks/lib/tryton.js";
import { startTestServer, type TestServer } from "./helpers.js";

/** Debian's Chromium, installed by `terrarium setup`. */
const CHROMIUM = "/usr/bin/chromium";
const SEEDED_OPPORTUNITIES = 30;

describe("getState on crm (Tryton 6.0, PostgreSQL logical decoding)", () => {
  let t: TestServer;
  let session: Session;
  let browser: Browser;
  let base: string;
  const stateOf = async (options?: { mergeMutations?: boolean }): Promise<EnvState> => {
    const { results } = await session.getState(options);
    const result = results[session.envs[0]!.jobId]!;
    if (!result.state) throw new Error(result.error);
    return result.state;
  };
  const summary = (state: EnvState) => state.dbs[0]!.changes.map((c) => `${c.op} ${c.table}`).sort();

  beforeAll(async () => {
    t = await startTestServer();
    [session, browser] = await Promise.all([
      t.client.sessions.create({ envs: [Env.simulator("crm", { alias: "crm" })] }),
      chromium.launch({ executablePath: CHROMIUM }),
    ]);
    base = (await session.getPublicUrl()).crm!;
  });
  afterAll(async () => {
    await browser?.close();
    await session?.close();
    await t?.stop();
  });

  it("starts empty, and a JSON-RPC login (as sao does it) is no mutation once the noise rules apply", async () => {
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const dana = await Tryton.login(base, "dana", "dana-password");
    expect(dana.context).toMatchObject({ company: 1, language: "en" });
    const db = (await stateOf()).dbs[0]!;
    expect(db.changes).toEqual([]);
    expect(db.ignored!.rows).toBeGreaterThanOrEqual(1);
    expect(db.ignored!.rules).toEqual(expect.arrayContaining(["table:ir_session"]));
  });

  it("logs in through sao in Chromium with the declared steps, and that login is no mutation either", async () => {
    const { pages, context } = await session.login(browser);
    try {
      const page = pages.crm!;
      expect(new URL(page.url()).hash).toBe("#tryton");
      expect(await page.locator("body").innerText()).toContain("[EUR]");
      // The menu of a logged-in admin: the modules' top entries.
      await page.getByText("Sales", { exact: true }).first().waitFor();
    } finally {
      await context.close();
    }
    const db = (await stateOf()).dbs[0]!;
    expect(db.changes).toEqual([]);
    expect(db.ignored!.rules).toEqual(expect.arrayContaining(["table:ir_session", "table:res_user_device"]));
  });

  it("reports exactly the rows an opportunity marked lost and a new phone number change", async () => {
    const dana = await Tryton.login(base, "dana", "dana-password");
    const deal = await dana.one("sale.opportunity", [["description", "=", "Rhône Express trial"]], ["id", "state"]);
    expect(deal.state).toBe("opportunity");
    await dana.write("sale.opportunity", [deal.id], { lost_reason: "Keeps its spreadsheets" });
    await dana.button("sale.opportunity", "lost", [deal.id]);
    const lars = await dana.one("party.party", [["name", "=", "Lars Haugen"]]);
    await dana.write("party.party", [lars.id], {
      contact_mechanisms: [["create", [{ type: "mobile", value: "+47 915 55 099" }]]],
    });

    const db = (await stateOf()).dbs[0]!;
    expect(db.capture.method).toBe("logical");
    expect(summary(await stateOf())).toEqual([
      "insert public.party_contact_mechanism",
      "insert public.party_party__history",
      // Tryton keeps the history of opportunities: one row per write (the reason, then the state).
      "insert public.sale_opportunity__history",
      "insert public.sale_opportunity__history",
      // Writing a party's contact mechanisms stamps the party itself.
      "update public.party_party",
      "update public.sale_opportunity",
    ]);
    const byTable = (table: string) => db.changes.filter((c) => c.table === table);
    expect(byTable("public.sale_opportunity")[0]).toMatchObject({
      pk: { id: deal.id },
      before: { state: "opportunity", lost_reason: null, amount: "4320" },
      after: { state: "lost", lost_reason: "Keeps its spreadsheets", write_uid: 5 }, // dana's user id
    });
    expect(byTable("public.sale_opportunity")[0]!.changed).toEqual([
      "end_date",
      "lost_reason",
      "state",
      "write_date",
      "write_uid",
    ]);
    expect(byTable("public.sale_opportunity__history").map((c) => c.after!.state)).toEqual(["opportunity", "lost"]);
    expect(byTable("public.party_contact_mechanism")[0]).toMatchObject({
      op: "insert",
      after: { party: lars.id, type: "mobile", value: "+47 915 55 099" },
    });
    expect(byTable("public.party_party")[0]!.changed).toEqual(["write_date", "write_uid"]);
  });

  it("reset empties the state and the app shows the seeded data again", async () => {
    await session.reset();
    base = (await session.getPublicUrl()).crm!;
    expect((await stateOf()).dbs[0]!.changes).toEqual([]);
    const admin = await Tryton.login(base);
    const deal = await admin.one("sale.opportunity", [["description", "=", "Rhône Express trial"]], ["state"]);
    expect(deal.state).toBe("opportunity");
    expect(await admin.search("sale.opportunity", [])).toHaveLength(SEEDED_OPPORTUNITIES);
    const lars = await admin.one("party.party", [["name", "=", "Lars Haugen"]], ["contact_mechanisms"]);
    expect(lars.contact_mechanisms).toHaveLength(2);
  });
});
