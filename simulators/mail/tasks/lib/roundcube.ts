// Roundcube's own HTTP interface, as its web client (app.js) calls it and an agent's script would:
// the login form, then the AJAX actions (`_remote=1` with the X-Roundcube-Request token) and the
// compose/send forms. Logins and passwords are the documented ones (`<login>-password`).

/** One row of a folder's message list, as Roundcube's `add_message_row` command carries it. */
export interface MessageRow {
  uid: number;
  subject: string;
  /** The sender (or, in Sent, the recipients) as the list shows it, HTML removed. */
  fromto: string;
  flags: { seen: boolean; flagged: boolean; answered: boolean; forwarded: boolean; deleted: boolean };
}

/** Fields of a message to send; `from` defaults to the user's standard identity. */
export interface Outgoing {
  to: string;
  cc?: string;
  bcc?: string;
  subject: string;
  body: string;
  from?: number;
  attachments?: { name: string; type: string; content: string | Uint8Array }[];
}

const decode = (html: string): string =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;/g, "'")
    .replace(/&amp;/g, "&")
    .trim();

export class Roundcube {
  private readonly cookies = new Map<string, string>();
  private token = "";

  private constructor(readonly base: string) {}

  /** Logs `login` in through Roundcube's login form. */
  static async login(base: string, login: string, password = `${login}-password`): Promise<Roundcube> {
    const rc = new Roundcube(base);
    const page = await rc.text("GET", "/");
    const token = /name="_token" value="([^"]+)"/.exec(page)?.[1];
    if (!token) throw new Error("Roundcube's login page has no _token");
    const response = await rc.request("POST", "/?_task=login", {
      _token: token,
      _task: "login",
      _action: "login",
      _timezone: "Europe/Lisbon",
      _url: "",
      _user: login,
      _pass: password,
    });
    const location = response.headers.get("location") ?? "";
    if (response.status !== 302 || !location.includes("_task=mail")) {
      throw new Error(`login of ${login} failed: ${response.status} ${location}`);
    }
    const mail = await rc.text("GET", "/?_task=mail&_mbox=INBOX");
    rc.token = /"request_token":"([^"]+)"/.exec(mail)?.[1] ?? "";
    if (!rc.token) throw new Error("Roundcube's mail page has no request token");
    return rc;
  }

  private async request(
    method: string,
    path: string,
    body?: Record<string, string> | FormData,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      redirect: "manual",
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(this.token ? { "x-roundcube-request": this.token } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : new URLSearchParams(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const at = pair.indexOf("=");
      const value = pair.slice(at + 1);
      if (value === "-del-") this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
    return response;
  }

  private async text(method: string, path: string, body?: Record<string, string> | FormData): Promise<string> {
    const response = await this.request(method, path, body);
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status}`);
    return response.text();
  }

  /** An AJAX action (`_remote=1`); throws when Roundcube answers with an error message. */
  private async remote(task: string, action: string, params: Record<string, string>): Promise<string> {
    const text = await this.text("POST", `/?_task=${task}&_action=${action}`, { ...params, _remote: "1" });
    const exec = (JSON.parse(text) as { exec?: string }).exec ?? "";
    if (/display_message\([^)]*"error"/.test(exec)) throw new Error(`${task}/${action}: ${exec}`);
    return exec;
  }

  /** The messages of a folder (its first 200), newest first. */
  async list(mbox = "INBOX"): Promise<MessageRow[]> {
    const query = new URLSearchParams({ _task: "mail", _action: "list", _mbox: mbox, _page: "1", _remote: "1" });
    const text = await this.text("GET", `/?${query}`);
    const exec = (JSON.parse(text) as { exec?: string }).exec ?? "";
    const rows: MessageRow[] = [];
    for (const line of exec.split("\n")) {
      const match = /add_message_row\((\d+),(\{.*?\}),(\{.*?\}),(?:true|false)\);$/.exec(line);
      if (!match) continue;
      const cols = JSON.parse(match[2]!) as { subject?: string; fromto?: string };
      const flags = JSON.parse(match[3]!) as Record<string, unknown>;
      rows.push({
        uid: Number(match[1]),
        subject: decode(cols.subject ?? ""),
        fromto: decode(cols.fromto ?? ""),
        flags: {
          seen: Boolean(flags.seen),
          flagged: Boolean(flags.flagged),
          answered: Boolean(flags.answered),
          forwarded: Boolean(flags.forwarded),
          deleted: Boolean(flags.deleted),
        },
      });
    }
    return rows;
  }

  /** The UID of the one message of `mbox` with this subject. */
  async uidOf(mbox: string, subject: string): Promise<number> {
    const rows = (await this.list(mbox)).filter((r) => r.subject === subject);
    if (rows.length !== 1) throw new Error(`${rows.length} messages "${subject}" in ${mbox}`);
    return rows[0]!.uid;
  }

  /** The bytes of message `uid`'s attachment `filename`, as the download link of the message view gets them. */
  async attachment(mbox: string, uid: number, filename: string): Promise<Uint8Array> {
    const show = new URLSearchParams({ _task: "mail", _action: "show", _uid: String(uid), _mbox: mbox });
    const page = await this.text("GET", `/?${show}`);
    // Each attachment of the view is a link to _action=get with its MIME part, around its file name.
    const links = [...page.matchAll(/<a [^>]*href="[^"]*_action=get[^"]*_part=([\d.]+)[^"]*"[^>]*>([\s\S]*?)<\/a>/g)];
    const part = links.find((link) => decode(link[2]!).includes(filename))?.[1];
    if (!part) throw new Error(`message ${uid} in ${mbox} has no attachment ${filename}`);
    const get = new URLSearchParams({ _task: "mail", _action: "get", _uid: String(uid), _mbox: mbox, _part: part });
    const response = await this.request("GET", `/?${get}&_download=1`);
    if (!response.ok) throw new Error(`downloading ${filename}: ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** The raw message (RFC 5322 source), as "More > View source" shows it. */
  async source(mbox: string, uid: number): Promise<string> {
    const query = new URLSearchParams({ _task: "mail", _action: "viewsource", _uid: String(uid), _mbox: mbox });
    return this.text("GET", `/?${query}`);
  }

  /** Sets a flag: read, unread, flagged, unflagged. */
  async mark(mbox: string, uids: number[], flag: "read" | "unread" | "flagged" | "unflagged"): Promise<void> {
    await this.remote("mail", "mark", { _uid: uids.join(","), _flag: flag, _mbox: mbox });
  }

  async move(mbox: string, uids: number[], target: string): Promise<void> {
    await this.remote("mail", "move", { _uid: uids.join(","), _mbox: mbox, _target_mbox: target });
  }

  /**
   * Deletes as the Delete button does: the web client moves the messages to Trash, and only deletes
   * for good (Roundcube's `delete` action) in Trash itself.
   */
  async delete(mbox: string, uids: number[]): Promise<void> {
    if (mbox === "Trash") await this.expunge(mbox, uids);
    else await this.move(mbox, uids, "Trash");
  }

  /** Deletes for good, as Shift+Delete does (Roundcube's `delete` action). */
  async expunge(mbox: string, uids: number[]): Promise<void> {
    await this.remote("mail", "delete", { _uid: uids.join(","), _mbox: mbox });
  }

  /** Creates a folder at the top level, as Settings > Folders > Create does. */
  async createFolder(name: string): Promise<void> {
    const page = await this.text("POST", "/?_task=settings&_action=save-folder", {
      _token: this.token,
      _name: name,
      _parent: "",
      _framed: "1",
    });
    if (!/display_message\([^)]*"confirmation"/.test(page)) {
      throw new Error(`creating folder ${name}: ${/display_message\(([^)]*)\)/.exec(page)?.[1] ?? "no confirmation"}`);
    }
  }

  /**
   * Opens a compose form: new (no options), a reply (`reply`, with `all` for reply-all) or a forward
   * (`forward`) of message `uid` in `mbox`. Returns the compose id and the form's prefilled fields.
   */
  async compose(
    options: { reply?: number; all?: boolean; forward?: number; mbox?: string } = {},
  ): Promise<{ id: string; to: string; cc: string; subject: string; body: string; from: number }> {
    const query = new URLSearchParams({ _task: "mail", _action: "compose" });
    if (options.reply) query.set("_reply_uid", String(options.reply));
    if (options.all) query.set("_all", "all");
    if (options.forward) query.set("_forward_uid", String(options.forward));
    if (options.mbox) query.set("_mbox", options.mbox);
    let response = await this.request("GET", `/?${query}`);
    let page = await response.text();
    const location = response.headers.get("location");
    if (location) {
      response = await this.request(
        "GET",
        location.startsWith("http") ? new URL(location).pathname + new URL(location).search : location,
      );
      page = await response.text();
    }
    const id = /"compose_id":"([^"]+)"/.exec(page)?.[1];
    if (!id) throw new Error("the compose form has no compose id");
    const field = (name: string) =>
      decode(new RegExp(`name="${name}"[^>]*?value="([^"]*)"`).exec(page)?.[1] ?? "") ||
      decode(new RegExp(`name="${name}"[^>]*>([^<]*)</textarea>`).exec(page)?.[1] ?? "");
    const from =
      /<select name="_from"[\s\S]*?<option value="(\d+)" selected/.exec(page)?.[1] ??
      /<select name="_from"[\s\S]*?<option value="(\d+)"/.exec(page)?.[1];
    const body = /<textarea name="_message"[^>]*>([\s\S]*?)<\/textarea>/.exec(page)?.[1] ?? "";
    return {
      id,
      to: field("_to"),
      cc: field("_cc"),
      subject: field("_subject"),
      body: decode(body),
      from: Number(from ?? 0),
    };
  }

  /** Uploads an attachment into compose `id`; returns Roundcube's attachment id. */
  async attach(id: string, file: { name: string; type: string; content: string | Uint8Array }): Promise<string> {
    const form = new FormData();
    const bytes = typeof file.content === "string" ? new TextEncoder().encode(file.content) : file.content;
    form.append("_attachments[]", new Blob([new Uint8Array(bytes)], { type: file.type }), file.name);
    const uploadid = `upload${Date.now()}`;
    const text = await this.text(
      "POST",
      `/?_task=mail&_action=upload&_id=${id}&_uploadid=${uploadid}&_from=compose&_remote=1`,
      form,
    );
    const exec = (JSON.parse(text) as { exec?: string }).exec ?? "";
    const attachment = /add2attachment_list\("rcmfile([^"]+)"/.exec(exec)?.[1];
    if (!attachment) throw new Error(`uploading ${file.name}: ${text.slice(0, 300)}`);
    return attachment;
  }

  /** Sends compose `id` (from `compose`) with these fields; Roundcube stores a copy in Sent. */
  async send(id: string, mail: Outgoing, from: number): Promise<void> {
    for (const file of mail.attachments ?? []) await this.attach(id, file);
    const page = await this.text("POST", "/?_task=mail&_action=send", {
      _token: this.token,
      _task: "mail",
      _action: "send",
      _id: id,
      _from: String(mail.from ?? from),
      _to: mail.to,
      _cc: mail.cc ?? "",
      _bcc: mail.bcc ?? "",
      _subject: mail.subject,
      _message: mail.body,
      _is_html: "0",
      _priority: "0",
      _store_target: "Sent",
      _draft_saveid: "",
    });
    if (!page.includes("sent_successfully")) {
      throw new Error(
        `sending "${mail.subject}": ${/display_message\((.*?),\s*"(?:error|warning)"/.exec(page)?.[1] ?? page.slice(0, 300)}`,
      );
    }
    // Postfix has accepted the message; give its queue a moment to deliver it into the mailboxes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }

  /** Composes and sends a new message. */
  async sendNew(mail: Outgoing): Promise<void> {
    const form = await this.compose();
    await this.send(form.id, mail, form.from);
  }

  /**
   * Saves identity `iid` as its settings form does: every field is posted (an unchecked "Set default"
   * box is a 0), so pass the identity's name, email and whether it is the default.
   */
  async saveIdentity(
    iid: number,
    identity: { name: string; email: string; organization?: string; signature?: string; standard: boolean },
  ): Promise<void> {
    const page = await this.text("POST", "/?_task=settings&_action=save-identity&_framed=1", {
      _token: this.token,
      _iid: String(iid),
      _name: identity.name,
      _email: identity.email,
      _organization: identity.organization ?? "",
      "_reply-to": "",
      _bcc: "",
      _signature: identity.signature ?? "",
      ...(identity.standard ? { _standard: "1" } : {}),
    });
    if (!/display_message\([^)]*"confirmation"/.test(page))
      throw new Error(`saving identity ${iid}: ${page.slice(0, 300)}`);
  }

  /** Adds a contact to the personal address book. */
  async addContact(contact: { firstname: string; surname: string; email: string; organization?: string }) {
    const page = await this.text("POST", "/?_task=addressbook&_action=save&_source=0&_framed=1", {
      _token: this.token,
      _source: "0",
      _firstname: contact.firstname,
      _surname: contact.surname,
      _organization: contact.organization ?? "",
      "_email[]": contact.email,
      "_subtype_email[]": "work",
    });
    if (!/display_message\([^)]*"confirmation"/.test(page))
      throw new Error(`saving contact ${contact.email}: ${page.slice(0, 300)}`);
  }
}
