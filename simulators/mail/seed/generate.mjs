// Writes the seeded mail store (seed/maildir/<login>/<folder>/cur/<message>) from messages.mjs:
// RFC 5322 files with threads (Message-ID, In-Reply-To, References), attachments and Maildir flags.
// Run `node simulators/mail/seed/generate.mjs` after changing messages.mjs; the output is committed.
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { messages, people } from "./messages.mjs";

const out = join(dirname(fileURLToPath(import.meta.url)), "maildir");
rmSync(out, { recursive: true, force: true });

const word = (text) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`);
const address = (who) => {
  const p = people[who];
  if (!p) throw new Error(`unknown person ${who}`);
  return `${/[^\w .-]/.test(p.name) ? `"${word(p.name)}"` : word(p.name)} <${p.email}>`;
};
const wrap = (base64) => base64.replace(/.{1,76}/g, "$&\r\n");
const body = (text) => text.replace(/^\n+|\n+$/g, "").replace(/\n/g, "\r\n") + "\r\n";

const byId = new Map(messages.map((m) => [m.id, m]));
const messageId = (m) => `<${m.id}@${people[m.from].email.split("@")[1]}>`;
const chain = (m) => (m.reply ? [...chain(byId.get(m.reply)), messageId(byId.get(m.reply))] : []);

let counter = 0;
for (const m of messages) {
  const date = new Date(m.date);
  const headers = [
    `Return-Path: <${people[m.from].email}>`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `From: ${address(m.from)}`,
    `To: ${m.to.map(address).join(", ")}`,
    ...(m.cc ? [`Cc: ${m.cc.map(address).join(", ")}`] : []),
    `Subject: ${word(m.subject)}`,
    `Message-ID: ${messageId(m)}`,
    ...(m.reply ? [`In-Reply-To: ${messageId(byId.get(m.reply))}`, `References: ${chain(m).join(" ")}`] : []),
    "MIME-Version: 1.0",
    ...(m.headers ?? []),
  ];
  let raw;
  if (!m.attachments?.length) {
    raw = [...headers, "Content-Type: text/plain; charset=utf-8; format=flowed", "Content-Transfer-Encoding: 8bit"]
      .join("\r\n")
      .concat("\r\n\r\n", body(m.body));
  } else {
    const boundary = `=_kestrel_${createHash("sha1").update(m.id).digest("hex").slice(0, 16)}`;
    const parts = [
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body(m.body)}`,
      ...m.attachments.map(
        (a) =>
          `--${boundary}\r\nContent-Type: ${a.type}; name="${a.name}"\r\nContent-Disposition: attachment; filename="${a.name}"\r\n` +
          `Content-Transfer-Encoding: base64\r\n\r\n${wrap(Buffer.from(a.content).toString("base64"))}`,
      ),
    ];
    raw = [...headers, `Content-Type: multipart/mixed; boundary="${boundary}"`]
      .join("\r\n")
      .concat("\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n", parts.join("\r\n"), `\r\n--${boundary}--\r\n`);
  }
  const data = Buffer.from(raw.replace(/\r\n/g, "\n"));
  for (const box of m.boxes) {
    const [login, folder = "INBOX", flags = ""] = box.split(":");
    counter += 1;
    const name = `${Math.floor(date.getTime() / 1000)}.M${counter}P1.mail.kestrel.example,S=${data.length}:2,${[...flags].sort().join("")}`;
    const path = join(out, login, folder, "cur", name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}
console.log(`${messages.length} messages, ${counter} message files`);
