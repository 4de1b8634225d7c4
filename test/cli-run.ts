import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const cli = fileURLToPath(new URL("../packages/cli/dist/main.js", import.meta.url));

export interface CliResult {
  stdout: string;
  stderr: string;
  /** The exit code (0 on success). */
  code: number;
}

/**
 * Runs the built `terrarium` command as a user would, off a terminal (pipes), with `env` added to this
 * process's environment (a value of undefined removes the variable). Never rejects: the exit code is
 * part of the answer.
 */
export function terrarium(env: Record<string, string | undefined>, ...args: string[]): Promise<CliResult> {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return new Promise((resolve) => {
    execFile("node", [cli, ...args], { env: merged, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

/** The session id a human-readable answer starts with (`session s_0123456789ab ...`). */
export function sessionIdIn(text: string): string {
  const id = /\bsession (s_[a-z0-9]{12})\b/.exec(text)?.[1];
  if (!id) throw new Error(`no session id in:\n${text}`);
  return id;
}
