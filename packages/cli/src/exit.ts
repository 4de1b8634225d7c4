/**
 * Exit codes, as grep has them: 1 is a clear "no" (a task evaluated and not passed, a command that
 * failed), 2 is trouble (bad usage, or `tasks run` / `sessions evaluate` could not run or evaluate).
 */
export const EXIT = { ok: 0, failed: 1, couldNotRun: 2, usage: 2 } as const;

/**
 * An error after which the command exits with `exitCode` rather than the usual 1: what `tasks run` and
 * `sessions evaluate` throw when they could not get a verdict at all.
 */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
