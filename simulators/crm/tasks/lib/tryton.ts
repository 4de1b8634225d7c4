// Tryton's JSON-RPC as sao (its web client) speaks it: `common.db.login` for a session, then
// `model.<model>.<method>` calls on /<database>/ with the session in the Authorization header and the
// user's preferences as the context, the last parameter of every call.

/** Tryton's JSON answers are loosely typed: records are plain objects of their fields. */
export type TrytonRecord = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const DATABASE = "tryton";

export class TrytonError extends Error {}

export class Tryton {
  private id = 0;

  private constructor(
    readonly base: string,
    private readonly authorization: string,
    readonly context: TrytonRecord,
  ) {}

  /** Logs in as `login` (the admin by default) the way sao does, and reads the user's preferences. */
  static async login(base: string, login = "admin", password = "terrarium-admin"): Promise<Tryton> {
    const [userId, session] = (await rpc(base, undefined, 0, "common.db.login", [login, { password }, "en"])) as [
      number,
      string,
    ];
    const authorization = `Session ${Buffer.from(`${login}:${userId}:${session}`).toString("base64")}`;
    const context = (await rpc(base, authorization, 1, "model.res.user.get_preferences", [true, {}])) as TrytonRecord;
    return new Tryton(base, authorization, context);
  }

  /** `model.<model>.<method>` with these parameters and the user's context last. */
  call<T = unknown>(model: string, method: string, ...params: unknown[]): Promise<T> {
    return rpc(this.base, this.authorization, ++this.id, `model.${model}.${method}`, [
      ...params,
      this.context,
    ]) as Promise<T>;
  }

  search(model: string, domain: unknown[], limit: number | null = null): Promise<number[]> {
    return this.call<number[]>(model, "search", domain, 0, limit, null);
  }

  read(model: string, ids: number[], fields: string[]): Promise<TrytonRecord[]> {
    return this.call<TrytonRecord[]>(model, "read", ids, fields);
  }

  searchRead(model: string, domain: unknown[], fields: string[]): Promise<TrytonRecord[]> {
    return this.call<TrytonRecord[]>(model, "search_read", domain, 0, null, null, fields);
  }

  /** The one record matching `domain`; fails when there is none or more than one. */
  async one(model: string, domain: unknown[], fields: string[] = ["id"]): Promise<TrytonRecord> {
    const found = await this.searchRead(model, domain, fields);
    if (found.length !== 1) throw new TrytonError(`${model} ${JSON.stringify(domain)}: ${found.length} records`);
    return found[0]!;
  }

  async create(model: string, values: TrytonRecord): Promise<number> {
    return (await this.call<number[]>(model, "create", [values]))[0]!;
  }

  write(model: string, ids: number[], values: TrytonRecord): Promise<unknown> {
    return this.call(model, "write", ids, values);
  }

  /** A workflow button (`convert`, `lost`, `quote`...) on these records. */
  button(model: string, name: string, ids: number[]): Promise<unknown> {
    return this.call(model, name, ids);
  }
}

async function rpc(
  base: string,
  authorization: string | undefined,
  id: number,
  method: string,
  params: unknown[],
): Promise<unknown> {
  const response = await fetch(`${base}/${DATABASE}/`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ id, method, params }),
  });
  if (!response.ok) throw new TrytonError(`${method}: HTTP ${response.status} ${await response.text()}`);
  const answer = (await response.json()) as { result?: unknown; error?: unknown };
  if (answer.error !== undefined && answer.error !== null)
    throw new TrytonError(`${method}: ${JSON.stringify(answer.error)}`);
  return answer.result;
}

/** A decimal as Tryton's JSON carries it. */
export function decimal(value: number | string): TrytonRecord {
  return { __class__: "Decimal", decimal: String(value) };
}
