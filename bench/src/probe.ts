import type { Runtime } from "@terrarium/server";

interface Call {
  method: string;
  started: number;
  ended: number;
}

/**
 * Where an operation's time goes inside the server: wraps some of its runtime's methods (the same
 * object the server's services call) to record when each call started and ended. Behaviour is
 * unchanged; only the clock is read around each call.
 */
export class RuntimeProbe {
  private readonly calls: Call[] = [];

  constructor(runtime: Runtime, methods: (keyof Runtime)[]) {
    const target = runtime as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const method of methods) {
      const original = target[method]!.bind(runtime);
      target[method] = async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await original(...args);
        } finally {
          this.calls.push({ method, started, ended: performance.now() });
        }
      };
    }
  }

  /**
   * The calls that started within [from, to]: ms per method (summed), and the wall-clock time during
   * which at least one of them ran (calls made in parallel count once).
   */
  spent(from: number, to: number): { wall: number; methods: Record<string, number> } {
    const calls = this.calls.filter((c) => c.started >= from && c.started <= to).sort((a, b) => a.started - b.started);
    const methods: Record<string, number> = {};
    let wall = 0;
    let end = -Infinity;
    for (const c of calls) {
      methods[c.method] = (methods[c.method] ?? 0) + (c.ended - c.started);
      if (c.ended > end) {
        wall += c.ended - Math.max(c.started, end);
        end = c.ended;
      }
    }
    return { wall, methods };
  }

  /** Runs `work` and answers its time with the probed calls' share of it. */
  async measure<T>(work: () => Promise<T>): Promise<[number, T, { wall: number; methods: Record<string, number> }]> {
    const started = performance.now();
    const value = await work();
    const ended = performance.now();
    return [ended - started, value, this.spent(started, ended)];
  }
}
