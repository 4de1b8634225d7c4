import type { SessionLogs } from "@terrarium/wire";
import type { Http } from "./http.js";
import type { OperationOptions } from "./operations.js";
import { toSessionLogsPage, type SessionEvent, type SessionLogsPage } from "./types.js";

export interface LogsOptions extends OperationOptions {
  /** Only events after this `seq` (a page's `nextAfter`); default 0, from the start. */
  after?: number;
  /** Events per page, 1-1000; default 100. */
  limit?: number;
  /** Only the events of this environment (job id). */
  jobId?: string;
}

/**
 * What `session.logs()` answers: awaited, one page; iterated with `for await`, every event from
 * `after` on, page after page, until the last one the server has.
 *
 * @example
 * const { events, nextAfter } = await session.logs({ limit: 50 });
 * for await (const event of session.logs()) console.log(event.seq, event.kind, event.message);
 */
export class SessionLogsRequest implements PromiseLike<SessionLogsPage>, AsyncIterable<SessionEvent> {
  private first: Promise<SessionLogsPage> | undefined;

  /** @internal use `session.logs()`. */
  constructor(
    private readonly http: Http,
    private readonly sessionId: string,
    private readonly options: LogsOptions,
  ) {}

  then<A = SessionLogsPage, B = never>(
    onFulfilled?: ((page: SessionLogsPage) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.firstPage().then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    let page = await this.firstPage();
    for (;;) {
      yield* page.events;
      if (page.nextAfter === null || page.events.length === 0) return;
      page = await this.page(page.nextAfter);
    }
  }

  /** Sent once, when first awaited or iterated. */
  private firstPage(): Promise<SessionLogsPage> {
    return (this.first ??= this.page(this.options.after ?? 0));
  }

  private async page(after: number): Promise<SessionLogsPage> {
    const session = `api/v2/sessions/${encodeURIComponent(this.sessionId)}`;
    const path =
      this.options.jobId === undefined
        ? `${session}/logs`
        : `${session}/jobs/${encodeURIComponent(this.options.jobId)}/logs`;
    const answer = await this.http.request<SessionLogs>("GET", path, {
      query: { after, limit: this.options.limit },
      idempotent: true,
      signal: this.options.signal,
    });
    return toSessionLogsPage(answer);
  }
}
