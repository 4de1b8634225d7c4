// Redmine's REST API as an agent's script would use it, with the admin's documented API key
// (simulators/redmine/README.md): the same account the browser pages are logged in as.

export const ADMIN_KEY = "43c1048bd6092718796e7efe496f56fe486f71de";

/** How Redmine's JSON names a related object: `{ "id": 3, "name": "High" }`. */
export interface Named {
  id: number;
  name: string;
}

export interface Relation {
  id: number;
  issue_id: number;
  issue_to_id: number;
  relation_type: string;
}

export interface Issue {
  id: number;
  subject: string;
  project: Named;
  status: Named;
  priority: Named;
  assigned_to?: Named;
  fixed_version?: Named;
  done_ratio: number;
  relations?: Relation[];
}

export interface TimeEntry {
  id: number;
  hours: number;
  issue?: { id: number };
  user: Named;
}

export interface User {
  id: number;
  login: string;
}

export class Redmine {
  constructor(private readonly base: string) {}

  /** One call; answers the parsed JSON, or undefined when Redmine answers without a body (204). */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { "x-redmine-api-key": ADMIN_KEY, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.call("PUT", path, body);
  }

  post(path: string, body: unknown): Promise<unknown> {
    return this.call("POST", path, body);
  }

  /** The id of the entry called `name` in a list such as /trackers.json (`key`: "trackers"). */
  async idOf(path: string, key: string, name: string): Promise<number> {
    const list = (await this.get<Record<string, Named[]>>(path))[key] ?? [];
    const found = list.find((item) => item.name === name);
    if (!found) throw new Error(`no "${name}" in ${path}`);
    return found.id;
  }

  /** The issues of a project, whatever their status (`filter`: more query parameters). */
  async issues(project: string, filter = "status_id=*"): Promise<Issue[]> {
    return (await this.get<{ issues: Issue[] }>(`/issues.json?project_id=${project}&${filter}&limit=100`)).issues;
  }

  /** A project's issue, found by its subject. */
  async issue(project: string, subject: string): Promise<Issue> {
    const found = (await this.issues(project)).find((issue) => issue.subject === subject);
    if (!found) throw new Error(`no issue "${subject}" in ${project}`);
    return found;
  }

  /** A user's id, found by login. */
  async userId(login: string): Promise<number> {
    const { users } = await this.get<{ users: User[] }>("/users.json?limit=100");
    const found = users.find((user) => user.login === login);
    if (!found) throw new Error(`no user ${login}`);
    return found.id;
  }
}
