import { describe, expect, it } from "vitest";
import { pack } from "tar-stream";
import { diffManifests, manifestOf } from "../src/capture/files.js";
import { describeMessages, isMessageFile } from "../src/capture/maildir.js";

/** A tar archive of `mail/` as the engine's archive API streams a watched directory. */
async function archive(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  tar.entry({ name: "mail/", type: "directory", mode: 0o755 });
  for (const [name, content] of Object.entries(files)) tar.entry({ name: `mail/${name}`, mode: 0o600 }, content);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const crash = [
  "From: Priya Natarajan <priya@acme-couriers.example>",
  "To: Erik Sandoval <erik@kestrel.example>",
  "Cc: marcus.webb@acme-couriers.example, Support <support@kestrel.example>",
  "Subject: =?UTF-8?Q?Kestrel_Mobile_crashes_=E2=80=93_barcode?=",
  "Date: Tue, 15 Apr 2025 09:12:00 +0000",
  "Message-ID: <crash-1@acme-couriers.example>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Since the update the app crashes when a driver scans a barcode.",
  "--b1",
  'Content-Type: text/csv; name="crashes.csv"',
  'Content-Disposition: attachment; filename="crashes.csv"',
  "Content-Transfer-Encoding: base64",
  "",
  Buffer.from("device,time\nTC52,09:01\n").toString("base64"),
  "--b1--",
  "",
].join("\r\n");

const reply = [
  "From: erik@kestrel.example",
  "To: priya@acme-couriers.example",
  "Subject: Re: Kestrel Mobile crashes",
  "Date: Wed, 16 Apr 2025 10:00:00 +0000",
  "Message-ID: <reply-1@kestrel.example>",
  "In-Reply-To: <crash-1@acme-couriers.example>",
  "References: <older@acme-couriers.example> <crash-1@acme-couriers.example>",
  "",
  "We opened ticket #42 for it.",
  "",
].join("\r\n");

describe("Maildir messages in file changes", () => {
  it("knows message files from the rest of a Maildir", () => {
    expect(isMessageFile("erik/cur/1713.M1P2.host,S=10:2,S")).toBe(true);
    expect(isMessageFile("erik/.Sent/new/1713.M1P2.host")).toBe(true);
    expect(isMessageFile("cur/1713.M1P2.host")).toBe(true);
    expect(isMessageFile("erik/tmp/1713.M1P2.host")).toBe(false);
    expect(isMessageFile("erik/dovecot-uidlist")).toBe(false);
    expect(isMessageFile("erik/cur")).toBe(false);
  });

  it("reads each added, flagged or deleted message: folder, flags, addresses, ids, text, attachments", async () => {
    const keep = isMessageFile;
    const before = await manifestOf(
      await archive({ "erik/new/1.M1.h": crash, "erik/dovecot-uidlist": "3 V1 N2\n" }),
      "/mail",
      keep,
    );
    // Read and flagged (new/ -> cur/ with :2,FS), a reply filed in Sent, the index rewritten.
    const after = await manifestOf(
      await archive({
        "erik/cur/1.M1.h:2,FS": crash,
        "erik/.Sent/cur/2.M2.h:2,S": reply,
        "erik/dovecot-uidlist": "3 V1 N3\n",
      }),
      "/mail",
      keep,
    );
    const changes = await describeMessages(diffManifests(before, after, "/mail", []), before, after, "/mail");
    const byPath = new Map(changes.map((c) => [c.path, c]));
    expect(changes.map((c) => [c.path, c.op])).toEqual([
      ["/mail/erik/.Sent/cur/2.M2.h:2,S", "add"],
      ["/mail/erik/cur/1.M1.h:2,FS", "rename"],
      ["/mail/erik/dovecot-uidlist", "modify"],
    ]);
    // Read and flagged: the file renamed, its message before (unread, in new/) and after.
    const flagged = byPath.get("/mail/erik/cur/1.M1.h:2,FS")!;
    expect(flagged.from).toBe("/mail/erik/new/1.M1.h");
    expect(flagged.before!.message).toMatchObject({ mailbox: "erik", flags: [], subject: expect.any(String) });
    expect(flagged.after!.message).toEqual({
      mailbox: "erik",
      flags: ["Flagged", "Seen"],
      from: "priya@acme-couriers.example",
      from_name: "Priya Natarajan",
      to: ["erik@kestrel.example"],
      cc: ["marcus.webb@acme-couriers.example", "support@kestrel.example"],
      subject: "Kestrel Mobile crashes – barcode",
      date: "2025-04-15T09:12:00.000Z",
      message_id: "<crash-1@acme-couriers.example>",
      in_reply_to: null,
      references: [],
      text: expect.stringMatching(/^Since the update the app crashes when a driver scans a barcode\.\s*$/),
      attachments: [{ filename: "crashes.csv", content_type: "text/csv", size: 23 }],
    });
    expect(byPath.get("/mail/erik/.Sent/cur/2.M2.h:2,S")!.after!.message).toMatchObject({
      mailbox: "erik/.Sent",
      flags: ["Seen"],
      from: "erik@kestrel.example",
      from_name: null,
      in_reply_to: "<crash-1@acme-couriers.example>",
      references: ["<older@acme-couriers.example>", "<crash-1@acme-couriers.example>"],
      text: expect.stringContaining("ticket #42"),
      attachments: [],
    });
    // Not a message: a plain file change, no message, no raw content in the state.
    const index = byPath.get("/mail/erik/dovecot-uidlist")!;
    expect(index.after).not.toHaveProperty("message");
    expect(index.after).not.toHaveProperty("content");
    expect(JSON.stringify(changes)).not.toMatch(/"content"/);
  });

  it("leaves a file of a Maildir that is not a message a plain change", async () => {
    const before = await manifestOf(await archive({}), "/mail", isMessageFile);
    const after = await manifestOf(await archive({ "cur/junk": "\u0000\u0001 not mail" }), "/mail", isMessageFile);
    const changes = await describeMessages(diffManifests(before, after, "/mail", []), before, after, "/mail");
    const junk = changes.find((c) => c.path === "/mail/cur/junk")!;
    expect(junk.op).toBe("add");
    // postal-mime reads anything as a message; a file without headers has none of them.
    expect(junk.after?.message?.subject ?? null).toBeNull();
  });
});
