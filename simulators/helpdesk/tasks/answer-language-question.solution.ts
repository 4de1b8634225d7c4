import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

const ANSWER =
  "Olá Sofia,\n\neach driver can choose the app's language in Kestrel Mobile under Settings > Language; " +
  "by default it follows the phone's language only when the driver has not picked one.\n\nErik Nilsson";

// Over REST 2 as erik: he takes the ticket and sets the Severity (one PUT), then replies.
export const solve: Solution = async ({ urls }) => {
  const rt = new Rt(urls.hd!, "erik");
  const ticket = await rt.ticketBySubject("Kestrel Mobile shows wrong language");
  await rt.update(ticket.id, { Owner: "erik", CustomFields: { Severity: "Low" } });
  await rt.correspond(ticket.id, ANSWER);
};

// Answers as the admin account and sets the Severity, but never takes the ticket: it stays unowned.
export const wrong: Solution = async ({ urls }) => {
  const rt = new Rt(urls.hd!);
  const ticket = await rt.ticketBySubject("Kestrel Mobile shows wrong language");
  await rt.update(ticket.id, { CustomFields: { Severity: "Low" } });
  await rt.correspond(ticket.id, ANSWER);
};
