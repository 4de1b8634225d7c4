/** Reports what a long step is doing: a line of output and, when known, how far along it is (0-1). */
export type Report = (line: string, fraction?: number) => void;

/** One idempotent part of the set-up: checked first, run only when what it makes is missing or stale. */
export interface SetupStep {
  title: string;
  /** A failure is a warning and the set-up goes on: only what needs this step's result is unavailable. */
  optional?: boolean;
  /** Why the step has to run, or undefined when its result is already there. */
  check(): Promise<string | undefined>;
  run(report: Report, signal?: AbortSignal): Promise<void>;
}
