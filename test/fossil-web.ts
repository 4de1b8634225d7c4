/**
 * Drives a Fossil server over HTTP the way a user's browser does: the login form, the new-ticket
 * form (with its CSRF token and a same-origin Referer) and the wiki editor's save call.
 */
export class FossilWeb {
  private cookie = "";

  constructor(readonly base: string) {}

  async login(user: string, password: string): Promise<void> {
    await (await fetch(`${this.base}/login`)).text(); // as a browser does: the form first
    const response = await fetch(`${this.base}/login`, {
      method: "POST",
      body: new URLSearchParams({ u: user, p: password, in: "Login" }),
      redirect: "manual",
    });
    const cookie = response.headers.get("set-cookie");
    if (!cookie) throw new Error(`login as ${user} failed (${response.status})`);
    this.cookie = cookie.split(";")[0]!;
  }

  async page(path: string): Promise<string> {
    const response = await fetch(`${this.base}${path}`, { headers: { cookie: this.cookie } });
    return response.text();
  }

  /** Files a ticket through /tktnew; answers the new ticket's id (its hash). */
  async newTicket(fields: {
    title: string;
    type: string;
    severity: string;
    foundin?: string;
    comment: string;
  }): Promise<string> {
    const form = await this.page("/tktnew");
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)?.[1];
    if (!csrf) throw new Error("no CSRF token on /tktnew: not logged in?");
    const response = await fetch(`${this.base}/tktnew`, {
      method: "POST",
      headers: { cookie: this.cookie, referer: `${this.base}/tktnew` },
      body: new URLSearchParams({
        csrf,
        title: fields.title,
        type: fields.type,
        severity: fields.severity,
        foundin: fields.foundin ?? "",
        mutype: "Markdown",
        icomment: fields.comment,
        submit: "Submit",
      }),
      redirect: "manual",
    });
    const id = /\/tktview\/([0-9a-f]+)/.exec(response.headers.get("location") ?? "")?.[1];
    if (response.status !== 302 || !id) throw new Error(`filing the ticket failed (${response.status})`);
    return id;
  }

  /** Creates or edits a wiki page as the wiki editor does (wikiajax/save). */
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
