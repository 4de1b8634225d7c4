/** A command running in an environment; `interruption` says why its environment went away under it. */
export interface RunningCommand {
  interruption?: string;
}

/**
 * What runs in each environment right now. The heartbeat reaper spares a busy environment, and a
 * command whose environment is closed or reset under it answers why instead of a bare broken pipe.
 */
export class JobActivity {
  private readonly running = new Map<string, Set<RunningCommand>>();

  begin(jobId: string): RunningCommand {
    const command: RunningCommand = {};
    const set = this.running.get(jobId) ?? new Set<RunningCommand>();
    set.add(command);
    this.running.set(jobId, set);
    return command;
  }

  end(jobId: string, command: RunningCommand): void {
    const set = this.running.get(jobId);
    set?.delete(command);
    if (set?.size === 0) this.running.delete(jobId);
  }

  busy(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /** The job's environment is going away (`why`: e.g. "closed: heartbeat_timeout at ..." or "reset"). */
  interrupt(jobId: string, why: string): void {
    for (const command of this.running.get(jobId) ?? []) command.interruption ??= why;
  }
}
