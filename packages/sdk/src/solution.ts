import type { Page } from "playwright-core";
import type { Session } from "./session.js";

/** A documented account of a simulator (simulator.yaml `accounts`). */
export interface Account {
  username: string;
  password: string;
  role: string;
}

/**
 * What a task's reference or wrong solution gets: the session made from the task, and the ways an
 * agent reaches its environments (HTTP through the public URLs, or a logged-in browser page).
 */
export interface SolutionContext {
  session: Session;
  task: { id: string; prompt: string };
  /** Each environment's public URL by alias, without a trailing slash: `${urls.pm}/issues.json`. */
  urls: Record<string, string>;
  /** The documented accounts of each environment's simulator, by alias. */
  accounts: Record<string, Account[]>;
  /**
   * One page per environment, logged in with the simulator's declared login, in one Chromium context;
   * opened on the first call (needs playwright-core and Chromium), closed after the solution returns.
   */
  pages(): Promise<Record<string, Page>>;
}

/** What a solution answers: the agent's final answer text for `answer` checks, if the task asks one. */
export interface SolutionOutcome {
  answer?: string;
}

/**
 * A task's solution module (`solution:` in the task file) exports two of these: `solve`, the reference
 * solution that must score 1, and `wrong`, a plausible mistake that must not succeed.
 */
export type Solution = (context: SolutionContext) => Promise<SolutionOutcome | void>;
