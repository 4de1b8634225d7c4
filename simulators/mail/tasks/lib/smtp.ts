// Plain SMTP (RFC 5321) over node:net, as a script hands a message to the environment's Postfix on
// port 25: no TLS, no authentication (the environment accepts mail from its network and delivers
// it locally; outside addresses land in the outbound mailbox).
import { connect, type Socket } from "node:net";

/** Reads SMTP replies; `next()` resolves with the next complete reply (its last line). */
function replies(socket: Socket): () => Promise<string> {
  let buffer = "";
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (/^\d{3} /.test(line)) (waiting.shift() ?? ((l: string) => queue.push(l)))(line);
    }
  });
  return () => new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve)));
}

/** Sends one raw RFC 5322 message from `from` to `to` through the SMTP server at host:port. */
export async function sendMail(host: string, port: number, from: string, to: string[], message: string): Promise<void> {
  const socket = connect(port, host);
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const next = replies(socket);
  const step = async (command: string | undefined, expect: string) => {
    if (command !== undefined) socket.write(`${command}\r\n`);
    const reply = await next();
    if (!reply.startsWith(expect)) throw new Error(`SMTP ${command ?? "greeting"}: ${reply}`);
  };
  try {
    await step(undefined, "220");
    await step("EHLO client.example", "250");
    await step(`MAIL FROM:<${from}>`, "250");
    for (const rcpt of to) await step(`RCPT TO:<${rcpt}>`, "250");
    await step("DATA", "354");
    const body = message.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
    await step(`${body}${body.endsWith("\r\n") ? "" : "\r\n"}.`, "250");
    await step("QUIT", "221");
  } finally {
    socket.destroy();
  }
}
