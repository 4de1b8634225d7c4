// What the cross-app solutions do in each app, over HTTP as an agent's tools would.
import { WikiApi } from "../../simulators/mediawiki/tasks/lib/wiki-api.js";

/** alice's documented Redmine API key (simulators/redmine/README.md). */
export const REDMINE_ALICE_KEY = "ea772078475384da42815b1183852681f2bb2bb9";

/** Fossil's ticket list as the default report prints it in tab-separated form: one object per ticket. */
export async function fossilTickets(base: string): Promise<Record<string, string>[]> {
  const text = await (await fetch(`${base}/rptview?rn=1&tablist=1`)).text();
  const [header, ...lines] = text.trim().split("\n");
  const names = header!.split("\t");
  return lines.map((line) => Object.fromEntries(line.split("\t").map((v, i) => [names[i]!, v])));
}

/** The full hash of a Fossil ticket, read from its page. */
export async function fossilTicketHash(base: string, short: string): Promise<string> {
  const page = await (await fetch(`${base}/tktview/${short}`)).text();
  const hash = new RegExp(`\\b${short}[0-9a-f]{30}\\b`).exec(page)?.[0];
  if (!hash) throw new Error(`no full hash for ticket ${short} on its page`);
  return hash;
}

/** A call to Redmine's REST API as alice; answers the parsed JSON (or nothing for 204). */
// Redmine's answers are loosely typed JSON: read as such, as an agent's script would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function redmine(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { "x-redmine-api-key": REDMINE_ALICE_KEY, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Creates a MediaWiki page over the action API, logged in as alice. */
export async function createWikiPage(base: string, title: string, text: string, summary: string): Promise<void> {
  const api = new WikiApi(base);
  await api.login("alice", "alice-password");
  const token = (await api.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
  const edit = await api.call({ action: "edit", title, text, summary, createonly: "1", token }, true);
  if (edit.edit?.result !== "Success") throw new Error(`edit failed: ${JSON.stringify(edit)}`);
}
