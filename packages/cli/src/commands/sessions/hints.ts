/**
 * What to do with a session that outlives the command that made it (`sessions make`, `tasks run
 * --keep`): how long it stays, and the commands that use and close it, with its id filled in.
 */
export function sessionHints(sessionId: string, heartbeatTimeout: number): string[] {
  const stays =
    heartbeatTimeout === 0
      ? "It has no heartbeat timeout: it stays until it is closed."
      : `The server closes it ${heartbeatTimeout} s after its last call or heartbeat (this command sends none).`;
  return [
    stays,
    `  terrarium sessions exec ${sessionId} -- COMMAND    run a command in every environment (--alias A: in one)`,
    `  terrarium sessions show ${sessionId}               its environments, status and URLs`,
    `  terrarium sessions state ${sessionId}              what changed since the start`,
    `  terrarium sessions close ${sessionId}              close it: remove its environments`,
  ];
}
