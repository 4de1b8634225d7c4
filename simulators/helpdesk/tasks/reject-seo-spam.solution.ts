import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

// Over REST 2: the ticket found by subject, its status set to rejected.
export const solve: Solution = async ({ urls }) => {
  const rt = new Rt(urls.hd!);
  const ticket = await rt.ticketBySubject("Boost your website ranking today");
  await rt.update(ticket.id, { Status: "rejected" });
};

// Politely declines by reply before rejecting: the spammer gets a mail.
export const wrong: Solution = async ({ urls }) => {
  const rt = new Rt(urls.hd!);
  const ticket = await rt.ticketBySubject("Boost your website ranking today");
  await rt.correspond(ticket.id, "No, thank you. Please remove us from your list.", { Status: "rejected" });
};
