import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Stops `close` (a server's, or a command's that started one) on SIGINT, SIGTERM or SIGHUP, then
 * exits with the signal's status. Without it Node dies on the spot and leaves the warm pool and any
 * scratch environment running. A second signal while stopping only says it is still stopping: going
 * away then would leave exactly that behind (`kill -9` is there for who really wants it).
 * Answers a function that removes the handlers (for a normal end).
 */
export function stopOnSignals(close: () => Promise<void>, say: (line: string) => void = () => undefined): () => void {
  let stopping: Promise<void> | undefined;
  const handler = (signal: (typeof SIGNALS)[number]) => {
    if (stopping) return say(`still stopping (removing the pool and scratch environments); please wait`);
    say(`${signal}: stopping`);
    stopping = close()
      .catch((error: unknown) =>
        say(`could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => process.exit(128 + constants.signals[signal]));
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
}
