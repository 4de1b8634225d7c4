import type Database from "better-sqlite3";

/** A shutdown callback owed: where, with which token and body, and how delivery went so far. */
export interface OwedCallback {
  sessionId: string;
  url: string;
  token: string | null;
  payload: string;
  attempts: number;
  nextAttemptAt: string;
}
type CallbackRow = {
  session_id: string;
  url: string;
  token: string | null;
  payload: string;
  attempts: number;
  next_attempt_at: string;
};

/** The `shutdown_callbacks` table: one row per ended session that asked to be called back. */
export class ShutdownCallbacks {
  constructor(private readonly db: Database.Database) {}

  /** Records a callback owed (at most one per session: a second close owes nothing more). */
  owe(sessionId: string, url: string, token: string | null, payload: string, at: string): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO shutdown_callbacks (session_id, url, token, payload, next_attempt_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(sessionId, url, token, payload, at);
  }

  /** Callbacks neither delivered nor given up whose next attempt is due at `now` (ISO-8601). */
  due(now: string): OwedCallback[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM shutdown_callbacks WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= ?
         ORDER BY next_attempt_at`,
      )
      .all(now) as CallbackRow[];
    return rows.map((r) => ({
      sessionId: r.session_id,
      url: r.url,
      token: r.token,
      payload: r.payload,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
    }));
  }

  /** Makes every pending callback due at `now` (a restart tries them at once, however long it was down). */
  resume(now: string): void {
    this.db
      .prepare(
        "UPDATE shutdown_callbacks SET next_attempt_at = ? WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at > ?",
      )
      .run(now, now);
  }

  /** When the next pending callback is due; undefined when none is pending. */
  nextDue(): string | undefined {
    const row = this.db
      .prepare(
        "SELECT MIN(next_attempt_at) AS at FROM shutdown_callbacks WHERE delivered_at IS NULL AND abandoned_at IS NULL",
      )
      .get() as { at: string | null };
    return row.at ?? undefined;
  }

  delivered(sessionId: string, at: string, attempts: number): void {
    this.db
      .prepare("UPDATE shutdown_callbacks SET delivered_at = ?, attempts = ?, last_error = NULL WHERE session_id = ?")
      .run(at, attempts, sessionId);
  }

  /** An attempt failed: try again at `next`, or (no `next`) give up. */
  failed(sessionId: string, attempts: number, error: string, next: string | undefined, at: string): void {
    this.db
      .prepare(
        `UPDATE shutdown_callbacks SET attempts = ?, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at),
           abandoned_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END WHERE session_id = ?`,
      )
      .run(attempts, error, next ?? null, next ?? null, at, sessionId);
  }

  /** How a session's callback stands: undefined when it owes none. */
  status(
    sessionId: string,
  ):
    { attempts: number; deliveredAt: string | null; abandonedAt: string | null; lastError: string | null } | undefined {
    const row = this.db
      .prepare("SELECT attempts, delivered_at, abandoned_at, last_error FROM shutdown_callbacks WHERE session_id = ?")
      .get(sessionId) as
      | { attempts: number; delivered_at: string | null; abandoned_at: string | null; last_error: string | null }
      | undefined;
    return (
      row && {
        attempts: row.attempts,
        deliveredAt: row.delivered_at,
        abandonedAt: row.abandoned_at,
        lastError: row.last_error,
      }
    );
  }
}
