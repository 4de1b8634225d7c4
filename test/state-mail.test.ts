import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webLogin } from "@terrarium/server";
import { Env, type EnvState, type FileChange, type Session } from "@terrarium/sdk";
import { Roundcube } from "../simulators/mail/tasks/lib/roundcube.js";
import { sendMail } from "../simulators/mail/tasks/lib/smtp.js";
/** Debian's Chromium, installed by `terrarium setup`. */
const CHROMIUM = "/usr/bin/chromium";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

const ROOT = "/var/mail/kestrel";
const messageFiles = (state: EnvState): FileChange[] => state.files.filter((f) => f.type === "file");

describe("getState on mail (Roundcube's SQLite database and the Maildir store)", () => {
  let t: TestServer;
  let session: Session;
  let address: string;
  let base: string;
  const stateOf = async (): Promise<EnvState> => {
    const { results } = await session.getState();
    const result = results[session.envs[0]!.jobId]!;
    if (!result.state) throw new Error(result.error);
    return result.state;
  };

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({ envs: [Env.simulator("mail", { alias: "mail" })] });
    address = await environmentAddress(session.envs[0]!.jobId);
    base = `http://${address}`;
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("starts empty, and a web login that opens the inbox is no mutation once the noise rules apply", async () => {
    const state = await stateOf();
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.files).toEqual([]);
    const login = await webLogin(base, "/", "dana", "dana-password");
    expect(login.ok, login.detail).toBe(true);
    const rc = await Roundcube.login(base, "carol");
    expect((await rc.list("INBOX")).map((r) => r.subject)).toContain("Driver app crashes when scanning barcodes");
    const after = await stateOf();
    expect(after.dbs[0]!.changes).toEqual([]);
    expect(after.files).toEqual([]);
    expect(after.dbs[0]!.ignored!.rules).toEqual(expect.arrayContaining(["table:session", "column:users.last_login"]));
  });

  it("reports a flag set through Roundcube as one renamed message file with its headers and new flags", async () => {
    const rc = await Roundcube.login(base, "dana");
    const uid = await rc.uidOf("INBOX", "Licence extension for 25 more drivers");
    await rc.mark("INBOX", [uid], "flagged");
    const files = messageFiles(await stateOf());
    expect(files).toHaveLength(1);
    const [change] = files;
    expect(change).toMatchObject({ op: "rename", from: expect.stringContaining(`${ROOT}/dana/INBOX/cur/`) });
    expect(change!.before!.message).toMatchObject({ mailbox: "dana/INBOX", flags: [] });
    expect(change!.after!.message).toMatchObject({
      mailbox: "dana/INBOX",
      flags: ["Flagged"],
      from: "oliver.grant@northwind.example",
      from_name: "Oliver Grant",
      to: ["dana@kestrel.example"],
      subject: "Licence extension for 25 more drivers",
      message_id: "<northwind-25-drivers-20260317@northwind.example>",
    });
    expect(change!.after!.message!.text).toContain("25 additional MOB-DRV licences");
  });

  it("reports a reply sent with an attachment as the copy delivered to outbound, the Sent copy and the answered flag", async () => {
    const rc = await Roundcube.login(base, "carol");
    const uid = await rc.uidOf("INBOX", "Driver app crashes when scanning barcodes");
    const form = await rc.compose({ reply: uid, mbox: "INBOX" });
    expect(form.to).toContain("priya.shah@acme-logistics.example");
    await rc.send(
      form.id,
      {
        to: form.to,
        subject: form.subject,
        body: `Hello Priya, we are on it.\n\n${form.body}`,
        attachments: [{ name: "workaround.txt", type: "text/plain", content: "Use manual entry until 1.9.3.\n" }],
      },
      form.from,
    );
    const state = await stateOf();
    const files = messageFiles(state).filter(
      (f) => f.path.startsWith(`${ROOT}/carol/`) || f.path.startsWith(`${ROOT}/outbound/`),
    );
    const at = (mailbox: string) => files.filter((f) => f.after?.message?.mailbox === mailbox);
    const [delivered] = at("outbound/INBOX");
    expect(delivered).toMatchObject({ op: "add" });
    expect(delivered!.after!.message).toMatchObject({
      from: "carol@kestrel.example",
      to: ["priya.shah@acme-logistics.example"],
      subject: "Re: Driver app crashes when scanning barcodes",
      in_reply_to: "<acme-barcode-crash-20260318@acme-logistics.example>",
      attachments: [{ filename: "workaround.txt", content_type: "text/plain" }],
    });
    expect(delivered!.after!.message!.text).toContain("we are on it");
    const [sent] = at("carol/Sent");
    expect(sent).toMatchObject({
      op: "add",
      after: { message: { flags: ["Seen"], message_id: delivered!.after!.message!.message_id } },
    });
    const [original] = at("carol/INBOX");
    expect(original).toMatchObject({ op: "rename", after: { message: { flags: ["Replied", "Seen"] } } });
    expect(files).toHaveLength(3);
    // Priya is in carol's address book: Roundcube collects only recipients it does not know yet.
    expect(state.dbs[0]!.changes).toEqual([]);
  });

  it("reports a message moved to a folder and one deleted (to Trash) as renames into those folders", async () => {
    const rc = await Roundcube.login(base, "alice");
    await rc.move("INBOX", [await rc.uidOf("INBOX", "Your booking confirmation TP-7QX2LM")], "Archive");
    await rc.delete("INBOX", [await rc.uidOf("INBOX", "Urgent: verify your payroll details before Friday")]);
    const files = messageFiles(await stateOf()).filter((f) => f.path.startsWith(`${ROOT}/alice/`));
    expect(
      files.map((f) => [f.op, f.before?.message?.mailbox, f.after?.message?.mailbox, f.after?.message?.subject]),
    ).toEqual(
      expect.arrayContaining([
        ["rename", "alice/INBOX", "alice/Archive", "Your booking confirmation TP-7QX2LM"],
        ["rename", "alice/INBOX", "alice/Trash", "Urgent: verify your payroll details before Friday"],
      ]),
    );
    expect(files).toHaveLength(2);
  });

  it("delivers mail handed to Postfix over SMTP: staff addresses to their inbox, shared ones to their members", async () => {
    const message = [
      "From: Lars Haugen <lars.haugen@fjordcouriers.example>",
      "To: support@kestrel.example",
      "Subject: Rollout date",
      "Message-ID: <rollout-date@fjordcouriers.example>",
      "Date: Fri, 20 Mar 2026 09:00:00 +0000",
      "",
      "We roll out on 1 April.",
    ].join("\r\n");
    await sendMail(address, 25, "lars.haugen@fjordcouriers.example", ["support@kestrel.example"], message);
    let delivered: FileChange[] = [];
    for (let i = 0; i < 50 && delivered.length < 2; i++) {
      delivered = messageFiles(await stateOf()).filter((f) => f.after?.message?.subject === "Rollout date");
      if (delivered.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    expect(delivered.map((f) => [f.op, f.after!.message!.mailbox, f.after!.message!.flags]).sort()).toEqual([
      ["add", "carol/INBOX", []],
      ["add", "erik/INBOX", []],
    ]);
    expect(delivered[0]!.path).toMatch(/\/INBOX\/new\//);
  });

  it("logs in through Roundcube's form in Chromium with the simulator's browser steps", async () => {
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const { pages } = await session.login(browser);
      const page = pages.mail!;
      expect(await page.locator(".header-title.username").innerText()).toContain("dana@kestrel.example");
      // The message list arrives by AJAX after the page.
      await page.locator("#messagelist tr", { hasText: "Our new office address from 1 April" }).waitFor();
    } finally {
      await browser.close();
    }
  });

  it("reset empties the state and the mailboxes show the seed again", async () => {
    await session.reset();
    address = await environmentAddress(session.envs[0]!.jobId);
    base = `http://${address}`;
    const state = await stateOf();
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.files).toEqual([]);
    const rc = await Roundcube.login(base, "dana");
    const row = (await rc.list("INBOX")).find((r) => r.subject === "Licence extension for 25 more drivers");
    expect(row?.flags).toMatchObject({ seen: false, flagged: false });
    const alice = await Roundcube.login(base, "alice");
    expect((await alice.list("Trash")).length).toBe(0);
  });
});
