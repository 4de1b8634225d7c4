import type { Runtime } from "@terrarium/server";

interface Call {
  label: string;
  started: number;
  ended: number;
}

type AsyncFn = (...args: unknown[]) => Promise<unknown>;

/**
 * Where an operation's time goes inside the server: wraps some methods of the objects its services
 * call (its runtime, the runtime's Podman API client) to record when each call started and ended.
 * Behaviour is unchanged; only the clock is read around each call.
 */
export class Probe {
  private readonly calls: Call[] = [];

  /** Times the runtime's `methods`, each under its own name. */
  runtime(runtime: Runtime, methods: (keyof Runtime)[]): this {
    const target = runtime as unknown as Record<string, AsyncFn>;
    for (const method of methods) this.wrap(target, method, () => method);
    return this;
  }

  /**
   * Times every call to Podman's API, each under "METHOD /path" with names and ids left out (a
   * stream's call ends when Podman answers, before its body is read). The Podman runtime keeps its
   * API client in the private field `client`; without one, nothing is recorded.
   */
  podmanApi(runtime: Runtime): this {
    const client = (runtime as unknown as { client?: Record<string, AsyncFn> }).client;
    if (!client) return this;
    for (const method of ["json", "stream"]) {
      this.wrap(client, method, (verb, path, options) => {
        const query = (options as { query?: Record<string, unknown> } | undefined)?.query ?? {};
        const route = String(path).replace(/^\/(containers|images|exec|networks)\/(?!create$|json$)[^/]+/, "/$1/{id}");
        return `${String(verb)} ${route}${query.import ? " (import)" : ""}`;
      });
    }
    return this;
  }

  private wrap(target: Record<string, AsyncFn>, method: string, label: (...args: unknown[]) => string): void {
    const original = target[method]!.bind(target);
    target[method] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await original(...args);
      } finally {
        this.calls.push({ label: label(...args), started, ended: performance.now() });
      }
    };
  }

  /**
   * The calls whose labels pass `only` that started within [from, to]: ms per label (summed), and
   * the wall-clock time during which at least one of them ran (calls in parallel count once).
   */
  spent(from: number, to: number, only: (label: string) => boolean = () => true): Spent {
    const calls = this.calls
      .filter((c) => c.started >= from && c.started <= to && only(c.label))
      .sort((a, b) => a.started - b.started);
    const calls_ms: Record<string, number> = {};
    let wall = 0;
    let end = -Infinity;
    for (const c of calls) {
      calls_ms[c.label] = (calls_ms[c.label] ?? 0) + (c.ended - c.started);
      if (c.ended > end) {
        wall += c.ended - Math.max(c.started, end);
        end = c.ended;
      }
    }
    return { wall, calls_ms };
  }

  /** Runs `work`, answering its time and the window it ran in (for `spent`). */
  async measure<T>(work: () => Promise<T>): Promise<[number, T, Window]> {
    const started = performance.now();
    const value = await work();
    const ended = performance.now();
    return [ended - started, value, { from: started, to: ended }];
  }
}

export interface Spent {
  wall: number;
  calls_ms: Record<string, number>;
}

export interface Window {
  from: number;
  to: number;
}

/** Per label, the median over rounds of its ms in each round (0 in a round without it). */
export function medianCalls(rounds: Spent[]): Record<string, number> {
  const labels = new Set(rounds.flatMap((r) => Object.keys(r.calls_ms)));
  const out: Record<string, number> = {};
  for (const label of [...labels].sort()) {
    const values = rounds.map((r) => r.calls_ms[label] ?? 0).sort((a, b) => a - b);
    const mid = Math.floor(values.length / 2);
    const med = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
    out[label] = Math.round(med * 10) / 10;
  }
  return out;
}
