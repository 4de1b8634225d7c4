/**
 * Drives Fossil's web interface over HTTP the way a browser does, for the fossil tasks' solutions:
 * the login form, forms with their CSRF token and a same-origin Referer, the ticket report as tab
 * separated values, the ticket editor (Preview, then Submit) and the wiki editor's save call.
 * Not a task: the catalog reads only the .yaml files of this folder.
 */

/** A ticket as the "All Tickets" report lists it. */
export interface TicketRow {
  /** The ticket id as the report shows it: the first 10 hex digits of its hash. */
  id: string;
  mtime: string;
  type: string;
  status: string;
  subsystem: string;
  title: string;
}

const decode = (html: string) =>
  html
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, "&");

/** The fields a browser would submit for a form's HTML (submit buttons and checkboxes aside). */
export function formFields(form: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const input of form.match(/<input\b[^>]*>/g) ?? []) {
    const type = /type=["']?(\w+)/i.exec(input)?.[1]?.toLowerCase() ?? "text";
    const name = /name=["']([^"']*)["']/.exec(input)?.[1];
    if (!name || ["submit", "checkbox", "radio", "button"].includes(type)) continue;
    fields[name] = decode(/value=["']([^"']*)["']/.exec(input)?.[1] ?? "");
  }
  for (const [, attrs, body] of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const name = /name=["']([^"']*)["']/.exec(attrs!)?.[1];
    const options = [...body!.matchAll(/<option\b([^>]*)>/g)].map((m) => m[1]!);
    if (!name || options.length === 0) continue; // an empty select submits nothing
    const chosen = options.find((o) => /\bselected\b/.test(o)) ?? options[0]!;
    fields[name] = decode(/value=["']([^"']*)["']/.exec(chosen)?.[1] ?? "");
  }
  for (const [, attrs, body] of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = /name=["']([^"']*)["']/.exec(attrs!)?.[1];
    if (name) fields[name] = decode(body!);
  }
  return fields;
}

export class FossilSite {
  private cookie = "";

  private constructor(readonly base: string) {}

  /** Logs in through /login (form fields u and p), as the documented admin unless told otherwise. */
  static async login(base: string, user = "admin", password = "terrarium-admin"): Promise<FossilSite> {
    const site = new FossilSite(base);
    await (await fetch(`${base}/login`)).text();
    const response = await fetch(`${base}/login`, {
      method: "POST",
      body: new URLSearchParams({ u: user, p: password, in: "Login" }),
      redirect: "manual",
    });
    const cookie = response.headers.get("set-cookie");
    if (!cookie) throw new Error(`login as ${user} failed (${response.status})`);
    site.cookie = cookie.split(";")[0]!;
    return site;
  }

  async get(path: string): Promise<string> {
    const response = await fetch(`${this.base}${path}`, { headers: { cookie: this.cookie } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.text();
  }

  /** A form post with the session cookie and a same-origin Referer; redirects are not followed. */
  async post(path: string, fields: Record<string, string>, referer = path): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method: "POST",
      headers: { cookie: this.cookie, referer: `${this.base}${referer}` },
      body: new URLSearchParams(fields),
      redirect: "manual",
    });
  }

  /** The first form of a page whose action is `action`, as HTML. */
  async form(path: string, action: string): Promise<string> {
    const html = await this.get(path);
    const form = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)]
      .map((m) => m[0])
      .find((f) => new RegExp(`action=["']${action}["']`).test(f));
    if (!form) throw new Error(`no form posting to ${action} on ${path}`);
    return form;
  }

  /** Every ticket, from the "All Tickets" report as tab-separated values. */
  async tickets(): Promise<TicketRow[]> {
    const lines = (await this.get("/rptview/1?tablist=1")).trim().split("\n");
    const header = lines.shift()!.split("\t");
    return lines.map((line) => {
      const cells = line.split("\t");
      const cell = (name: string) => cells[header.indexOf(name)] ?? "";
      return {
        id: cell("#"),
        mtime: cell("mtime"),
        type: cell("type"),
        status: cell("status"),
        subsystem: cell("subsystem"),
        title: cell("title"),
      };
    });
  }

  /** The id of the one ticket with this title. */
  async ticketId(title: string): Promise<string> {
    const found = (await this.tickets()).filter((t) => t.title === title);
    if (found.length !== 1) throw new Error(`${found.length} tickets are titled "${title}"`);
    return found[0]!.id;
  }

  /** The ticket's fields as its edit form shows them. */
  async ticketFields(id: string): Promise<Record<string, string>> {
    return formFields(await this.form(`/tktedit/${id}`, "/tktedit"));
  }

  /**
   * Edits a ticket through /tktedit as a browser does: the form's current values with `changes`
   * applied and `remark` appended as a Markdown comment, previewed, then submitted.
   */
  async editTicket(id: string, changes: Record<string, string>, remark = ""): Promise<void> {
    const fields = { ...(await this.ticketFields(id)), ...changes, mutype: "Markdown", icomment: remark };
    const preview = await this.post("/tktedit", { ...fields, preview: "Preview" }, `/tktedit/${id}`);
    const previewed = await preview.text();
    if (preview.status !== 200 || !/name="submit"/.test(previewed))
      throw new Error(`previewing the edit of ticket ${id} failed (${preview.status})`);
    const response = await this.post("/tktedit", { ...fields, submit: "Submit" }, "/tktedit");
    if (response.status !== 302) throw new Error(`submitting the edit of ticket ${id} failed (${response.status})`);
  }

  /** Files a ticket through /tktnew (Preview, then Submit); answers the new ticket's hash. */
  async newTicket(fields: Record<string, string>): Promise<string> {
    const all = { ...formFields(await this.form("/tktnew", "/tktnew")), mutype: "Markdown", ...fields };
    const preview = await this.post("/tktnew", { ...all, preview: "Preview" });
    if (!/name="submit"/.test(await preview.text())) throw new Error("previewing the new ticket failed");
    const response = await this.post("/tktnew", { ...all, submit: "Submit" });
    const id = /\/tktview\/([0-9a-f]+)/.exec(response.headers.get("location") ?? "")?.[1];
    if (response.status !== 302 || !id) throw new Error(`filing the ticket failed (${response.status})`);
    return id;
  }

  /** A wiki page's text, from the JSON API. */
  async wikiText(name: string): Promise<string> {
    const answer = JSON.parse(await this.get(`/json/wiki/get?name=${encodeURIComponent(name)}`)) as {
      payload?: { content?: string };
    };
    if (answer.payload?.content === undefined) throw new Error(`no wiki page ${name}`);
    return answer.payload.content;
  }

  /** Creates or edits a Markdown wiki page as the wiki editor's Save button does (wikiajax/save). */
  async saveWiki(name: string, markdown: string, isNew: boolean): Promise<void> {
    const body = new FormData();
    body.set("page", name);
    body.set("mimetype", "text/x-markdown");
    body.set("content", markdown);
    if (isNew) body.set("isnew", "1");
    const response = await fetch(`${this.base}/wikiajax/save`, {
      method: "POST",
      headers: { cookie: this.cookie, referer: `${this.base}/wikiedit?name=${encodeURIComponent(name)}` },
      body,
    });
    const answer = (await response.json()) as { name?: string; error?: string };
    if (answer.name !== name) throw new Error(`saving wiki page ${name} failed: ${JSON.stringify(answer)}`);
  }
}
