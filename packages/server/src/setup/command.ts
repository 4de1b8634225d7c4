import { spawn } from "node:child_process";

export interface RunOptions {
  /** Called for every line the command prints (stdout and stderr). */
  onLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Data written to the command's standard input. */
  stdin?: NodeJS.ReadableStream;
}

/** Runs a command; on failure the error carries its last lines of output. */
export function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      signal: options.signal,
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    const tail: string[] = [];
    let output = "";
    const collect = (stream: NodeJS.ReadableStream) => {
      let partial = "";
      stream.on("data", (chunk: Buffer) => {
        const text = partial + chunk.toString("utf8");
        output += chunk.toString("utf8");
        const lines = text.split(/\r?\n|\r/);
        partial = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.trim()) continue;
          tail.push(line);
          if (tail.length > 20) tail.shift();
          options.onLine?.(line);
        }
      });
    };
    collect(child.stdout!);
    collect(child.stderr!);
    if (options.stdin && child.stdin) options.stdin.pipe(child.stdin);
    child.on("error", (error) =>
      reject(
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? new Error(`\`${command}\` is not installed; run \`terrarium setup\` (as root) to install it`)
          : error,
      ),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(output);
      reject(new Error(`\`${command} ${args.join(" ")}\` failed (${signal ?? `exit ${code}`}):\n${tail.join("\n")}`));
    });
  });
}

/** Runs a command and reports whether it succeeded, without throwing. */
export function succeeds(command: string, args: string[]): Promise<boolean> {
  return runCommand(command, args).then(
    () => true,
    () => false,
  );
}
