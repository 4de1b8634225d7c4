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

// Request Tracker's and Tryton's answers are loosely typed JSON, read as an agent's script would.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A call to Request Tracker's REST 2 API as `user` (basic auth, the documented `<user>-password`). */
export async function rt(base: string, user: string, method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${base}/REST/2.0${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:${user}-password`).toString("base64")}`,
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`RT ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The id of the one ticket with this exact subject, found with a TicketSQL search. */
export async function rtTicketId(base: string, user: string, subject: string): Promise<number> {
  const query = encodeURIComponent(`Subject = '${subject.replace(/'/g, "\\'")}'`);
  const found = await rt(base, user, "GET", `/tickets?query=${query}`);
  if (found.count !== 1) throw new Error(`${found.count} tickets have the subject "${subject}"`);
  return Number(found.items[0].id);
}

/** Tryton over the JSON-RPC interface its web client sao uses: a user's session on one database. */
export class Tryton {
  private constructor(
    private readonly url: string,
    private readonly authorization: string,
    readonly context: Record<string, unknown>,
  ) {}

  /** Logs `login` in with the documented `<login>-password` and reads the user's context. */
  static async login(base: string, login: string, database = "tryton"): Promise<Tryton> {
    const url = `${base}/${database}/`;
    const [userId, session] = (await Tryton.rpc(url, undefined, "common.db.login", [
      login,
      { password: `${login}-password` },
      "en",
    ])) as [number, string];
    const authorization = `Session ${Buffer.from(`${login}:${userId}:${session}`).toString("base64")}`;
    const context = (await Tryton.rpc(url, authorization, "model.res.user.get_preferences", [true, {}])) as Record<
      string,
      unknown
    >;
    return new Tryton(url, authorization, context);
  }

  private static async rpc(url: string, authorization: string | undefined, method: string, params: unknown[]) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ id: 1, method, params }),
    });
    if (!response.ok) throw new Error(`Tryton ${method}: HTTP ${response.status} ${await response.text()}`);
    const answer = (await response.json()) as { result?: unknown; error?: unknown };
    if (answer.error !== undefined && answer.error !== null) {
      throw new Error(`Tryton ${method}: ${JSON.stringify(answer.error)}`);
    }
    return answer.result;
  }

  /** `model.<model>.<method>` with the user's context appended, as sao calls it. */
  async call(model: string, method: string, ...params: unknown[]): Promise<Json> {
    return Tryton.rpc(this.url, this.authorization, `model.${model}.${method}`, [...params, this.context]);
  }

  /** The records matching a domain, with these fields (and their id). */
  async find(model: string, domain: unknown[], fields: string[]): Promise<Json[]> {
    return this.call(model, "search_read", domain, 0, null, null, fields);
  }

  /** The id of the one record matching a domain. */
  async idOf(model: string, domain: unknown[]): Promise<number> {
    const ids = (await this.call(model, "search", domain, 0, null, null)) as number[];
    if (ids.length !== 1) throw new Error(`${ids.length} ${model} records match ${JSON.stringify(domain)}`);
    return ids[0]!;
  }

  async write(model: string, ids: number[], values: Record<string, unknown>): Promise<void> {
    await this.call(model, "write", ids, values);
  }

  async create(model: string, values: Record<string, unknown>): Promise<number> {
    const [id] = (await this.call(model, "create", [values])) as number[];
    return id!;
  }

  /** A workflow button (e.g. sale.opportunity's `opportunity`, `convert`, `lost`). */
  async button(model: string, name: string, ids: number[]): Promise<void> {
    await this.call(model, name, ids);
  }
}
