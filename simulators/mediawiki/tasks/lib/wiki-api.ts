/** MediaWiki's action API as an agent would use it: login token, clientlogin, then CSRF-protected posts. */
export class WikiApi {
  readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  // The API's answers are deep, loosely typed JSON: read as such, as an agent's script would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async call(params: Record<string, string>, post = false): Promise<any> {
    const body = new URLSearchParams({ format: "json", formatversion: "2", ...params });
    const response = await fetch(`${this.base}/api.php${post ? "" : `?${body}`}`, {
      method: post ? "POST" : "GET",
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
      body: post ? body : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const answer = await response.json();
    if (answer.error) throw new Error(`${params.action}: ${JSON.stringify(answer.error)}`);
    return answer;
  }

  async login(username: string, password: string): Promise<void> {
    const token = (await this.call({ action: "query", meta: "tokens", type: "login" })).query.tokens.logintoken;
    const answer = await this.call(
      { action: "clientlogin", username, password, logintoken: token, loginreturnurl: this.base },
      true,
    );
    if (answer.clientlogin?.status !== "PASS") throw new Error(`login failed: ${JSON.stringify(answer)}`);
  }

  async text(title: string): Promise<string> {
    const answer = await this.call({
      action: "query",
      prop: "revisions",
      titles: title,
      rvprop: "content",
      rvslots: "main",
    });
    return answer.query.pages[0].revisions[0].slots.main.content;
  }

  async edit(title: string, text: string, summary: string): Promise<void> {
    const token = (await this.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
    const answer = await this.call({ action: "edit", title, text, summary, token, nocreate: "1" }, true);
    if (answer.edit?.result !== "Success") throw new Error(`edit failed: ${JSON.stringify(answer)}`);
  }
}
