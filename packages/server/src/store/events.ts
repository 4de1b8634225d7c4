import type Database from "better-sqlite3";
import type { SessionEvent, SessionEventKind } from "@terrarium/wire";

type EventRow = {
  seq: number;
  session_id: string;
  job_id: string | null;
  alias: string | null;
  at: string;
  kind: SessionEventKind;
  message: string;
  data: string | null;
};

/** An event to record: what happened in a session, and to which of its environments. */
export interface NewSessionEvent {
  sessionId: string;
  jobId: string | null;
  alias: string | null;
  at: string;
  kind: SessionEventKind;
  message: string;
  data: Record<string, unknown> | null;
}

/** The `session_events` table: each session's log, in the order events were appended. */
export class SessionEvents {
  constructor(private readonly db: Database.Database) {}

  append(events: NewSessionEvent[]): void {
    if (events.length === 0) return;
    const insert = this.db.prepare(
      `INSERT INTO session_events (session_id, job_id, alias, at, kind, message, data)
       VALUES (@sessionId, @jobId, @alias, @at, @kind, @message, @data)`,
    );
    this.db.transaction(() => {
      for (const e of events) insert.run({ ...e, data: e.data === null ? null : JSON.stringify(e.data) });
    })();
  }

  /** Up to `limit` events of a session (of one of its jobs, with `jobId`) after `after`, oldest first. */
  page(sessionId: string, options: { after: number; limit: number; jobId?: string }): SessionEvent[] {
    const rows = (
      options.jobId === undefined
        ? this.db
            .prepare("SELECT * FROM session_events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?")
            .all(sessionId, options.after, options.limit)
        : this.db
            .prepare(
              "SELECT * FROM session_events WHERE session_id = ? AND job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            )
            .all(sessionId, options.jobId, options.after, options.limit)
    ) as EventRow[];
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      kind: r.kind,
      job_id: r.job_id,
      alias: r.alias,
      message: r.message,
      data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
    }));
  }
}
