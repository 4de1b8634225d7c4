import type { SessionEventKind, SessionLogs } from "@terrarium/wire";
import type { NewSessionEvent } from "../store/events.js";
import type { JobRecord, Store } from "../store/store.js";

/** Events are written in batches this far apart (a crash loses at most this much of a log). */
const FLUSH_MS = 100;
/** How much of a command a log keeps. */
export const LOGGED_COMMAND_CHARS = 4096;

/**
 * Each session's log, for debugging and grading: what happened in it, in order. Recording costs no store
 * write on the caller's path: events are written together shortly after, and before any read.
 */
export class SessionLog {
  private pending: NewSessionEvent[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  record(
    sessionId: string,
    kind: SessionEventKind,
    message: string,
    options: { job?: Pick<JobRecord, "id" | "alias">; data?: Record<string, unknown> } = {},
  ): void {
    this.pending.push({
      sessionId,
      jobId: options.job?.id ?? null,
      alias: options.job?.alias ?? null,
      at: new Date().toISOString(),
      kind,
      message,
      data: options.data ?? null,
    });
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Writes what was recorded; the server calls it once more as it stops. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.pending;
    this.pending = [];
    this.store.events.append(events);
  }

  page(sessionId: string, options: { after: number; limit: number; jobId?: string }): SessionLogs {
    this.flush();
    // One more than asked says whether another page follows.
    const events = this.store.events.page(sessionId, { ...options, limit: options.limit + 1 });
    const more = events.length > options.limit;
    const shown = more ? events.slice(0, options.limit) : events;
    return { session_id: sessionId, events: shown, next_after: more ? shown.at(-1)!.seq : null };
  }
}

/** A command as a log keeps it: cut at LOGGED_COMMAND_CHARS characters. */
export function loggedCommand(command: string): string {
  return command.length > LOGGED_COMMAND_CHARS
    ? `${command.slice(0, LOGGED_COMMAND_CHARS)}... (${command.length} characters)`
    : command;
}
