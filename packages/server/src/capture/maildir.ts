// Messages of a watched Maildir: what a mail client would show of each message file that changed.
import PostalMime, { type Address } from "postal-mime";
import type { FileChange, MailMessage } from "@terrarium/wire";
import type { Manifest } from "./files.js";

/** A message file: `<maildir>/cur/<name>` or `<maildir>/new/<name>` (tmp/ holds deliveries in progress). */
const MESSAGE_FILE = /^(?:(.*)\/)?(cur|new)\/([^/]+)$/;

/** The plain-text body is cut at this many characters. */
const TEXT_LIMIT = 16 * 1024;

const FLAGS: Record<string, MailMessage["flags"][number]> = {
  D: "Draft",
  F: "Flagged",
  P: "Passed",
  R: "Replied",
  S: "Seen",
  T: "Trashed",
};

/** Whether `relative` (a path under the watched root) is a message file of a Maildir. */
export function isMessageFile(relative: string): boolean {
  return MESSAGE_FILE.test(relative);
}

const addresses = (list: Address[] | undefined): string[] =>
  (list ?? []).flatMap((a) => ("group" in a && a.group ? a.group.map((m) => m.address) : [a.address ?? ""]));

/** Reads one message file; `relative` is its path under the watched root. */
export async function readMessage(relative: string, content: Buffer): Promise<MailMessage> {
  const [, maildir = "", dir, name = ""] = MESSAGE_FILE.exec(relative) ?? [];
  const info = dir === "cur" ? /:2,([A-Za-z]*)$/.exec(name)?.[1] : undefined;
  const flags = [...new Set([...(info ?? "")].map((letter) => FLAGS[letter]).filter((f) => f !== undefined))].sort();
  const email = await PostalMime.parse(content);
  const from = email.from && !("group" in email.from && email.from.group) ? email.from : undefined;
  return {
    mailbox: maildir,
    flags,
    from: from?.address || null,
    from_name: from?.name || null,
    to: addresses(email.to),
    cc: addresses(email.cc),
    subject: email.subject ?? null,
    date: email.date ?? null,
    message_id: email.messageId ?? null,
    in_reply_to: email.inReplyTo ?? null,
    references: (email.references ?? "").split(/\s+/).filter(Boolean),
    text: (email.text ?? "").slice(0, TEXT_LIMIT),
    attachments: email.attachments.map((a) => ({
      filename: a.filename,
      content_type: a.mimeType,
      size: typeof a.content === "string" ? Buffer.byteLength(a.content) : a.content.byteLength,
    })),
  };
}

/**
 * Adds the message each changed message file holds, before and after, from the two manifests' kept
 * contents. A file that does not parse as a message keeps its plain file change.
 */
export async function describeMessages(
  changes: FileChange[],
  before: Manifest,
  after: Manifest,
  root: string,
): Promise<FileChange[]> {
  const describe = async (path: string, manifest: Manifest): Promise<MailMessage | undefined> => {
    const relative = path.slice(root.length + 1);
    const content = manifest.get(path)?.content;
    if (!content || !isMessageFile(relative)) return undefined;
    return readMessage(relative, content).catch(() => undefined);
  };
  return Promise.all(
    changes.map(async (change) => {
      if (change.type !== "file") return change;
      const [was, now] = await Promise.all([
        change.before ? describe(change.from ?? change.path, before) : undefined,
        change.after ? describe(change.path, after) : undefined,
      ]);
      return {
        ...change,
        ...(change.before ? { before: { ...change.before, ...(was ? { message: was } : {}) } } : {}),
        ...(change.after ? { after: { ...change.after, ...(now ? { message: now } : {}) } } : {}),
      };
    }),
  );
}
