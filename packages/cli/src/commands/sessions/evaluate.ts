import { cliClient } from "../../client.js";
import { CommandError, EXIT } from "../../exit.js";
import { printJson } from "../../output.js";
import { formatResult, verdictExitCode } from "../../tasks/verdict.js";
import { openSession } from "./open.js";

/**
 * `terrarium sessions evaluate ID [--value ANSWER]`: scores the session against the task it was made
 * from. Exits 0 when it passed, 1 when it did not, 2 when it could not be evaluated.
 */
export async function evaluateSession(id: string, options: { value?: string; json: boolean }): Promise<void> {
  try {
    const client = cliClient();
    const { session } = await openSession(client, id);
    const result = await session.evaluate(options.value === undefined ? {} : { value: options.value });
    if (options.json) printJson(result);
    else for (const line of formatResult({ result })) process.stdout.write(`${line}\n`);
    process.exitCode = verdictExitCode(result);
  } catch (error) {
    throw new CommandError((error as Error).message, EXIT.couldNotRun, { cause: error });
  }
}
