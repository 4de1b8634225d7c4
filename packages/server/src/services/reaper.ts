import type { FastifyBaseLogger } from "fastify";
import type { SessionService } from "./sessions.js";

/** Closes environments whose heartbeats stopped, checking every `intervalMs`. */
export class HeartbeatReaper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sessions: SessionService,
    private readonly intervalMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep().finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    try {
      const reaped = await this.sessions.reapExpired();
      for (const job of reaped) this.log.info({ job }, "closed an environment whose heartbeats stopped");
    } catch (error) {
      this.log.error({ err: error }, "heartbeat reaper failed");
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
