// RT's REST 2 API as an agent's script would use it, with basic auth of a documented account
// (simulators/helpdesk/README.md): admin by default, the same account the browser pages are logged in as.

/** How REST 2 names a related record: `{ "id": "bob", "type": "user", "_url": "..." }`. */
export interface Ref {
  id: string;
  type: string;
  _url: string;
}

export interface Ticket {
  id: number;
  Subject: string;
  Status: string;
  Queue: Ref;
  Owner: Ref;
  Requestor: Ref[];
  Cc: Ref[];
  CustomFields: { name: string; values: string[] }[];
}

interface Page {
  items: { id: string }[];
  total: number;
}

export class Rt {
  private readonly auth: string;

  constructor(
    private readonly base: string,
    login = "admin",
    password = login === "admin" ? "terrarium-admin" : `${login}-password`,
  ) {
    this.auth = `Basic ${Buffer.from(`${login}:${password}`).toString("base64")}`;
  }

  /** One call; answers the parsed JSON. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}/REST/2.0${path}`, {
      method,
      headers: { authorization: this.auth, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.call("PUT", path, body);
  }

  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.call<T>("POST", path, body);
  }

  /** The ids of the tickets a TicketSQL query finds (every page). */
  async search(query: string): Promise<number[]> {
    const ids: number[] = [];
    for (let page = 1; ; page++) {
      const found = await this.get<Page>(
        `/tickets?query=${encodeURIComponent(query)}&per_page=100&page=${page}&orderby=id&order=ASC`,
      );
      ids.push(...found.items.map((item) => Number(item.id)));
      if (ids.length >= found.total || found.items.length === 0) return ids;
    }
  }

  ticket(id: number): Promise<Ticket> {
    return this.get<Ticket>(`/ticket/${id}`);
  }

  /** The one ticket with this subject. */
  async ticketBySubject(subject: string): Promise<Ticket> {
    const ids = await this.search(`Subject = '${subject.replace(/'/g, "\\'")}'`);
    if (ids.length !== 1) throw new Error(`${ids.length} tickets with the subject "${subject}"`);
    return this.ticket(ids[0]!);
  }

  /** A reply to the requestors (mailed to them), optionally with ticket changes in the same call. */
  correspond(id: number, content: string, changes: Record<string, unknown> = {}): Promise<unknown> {
    return this.post(`/ticket/${id}/correspond`, { Content: content, ContentType: "text/plain", ...changes });
  }

  /** An internal comment (staff only). */
  comment(id: number, content: string, changes: Record<string, unknown> = {}): Promise<unknown> {
    return this.post(`/ticket/${id}/comment`, { Content: content, ContentType: "text/plain", ...changes });
  }

  update(id: number, changes: Record<string, unknown>): Promise<unknown> {
    return this.put(`/ticket/${id}`, changes);
  }
}
