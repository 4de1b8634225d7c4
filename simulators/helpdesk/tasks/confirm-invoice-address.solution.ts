import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

const TEXT =
  "Dear Jonas,\n\nthank you for letting us know. From the April invoice on, we send your invoices to\n\n" +
  "Bluewater Freight AG\nFinance\nGroßer Grasbrook 10, 20457 Hamburg\n\nBest regards,\nCarol Lindqvist";

// Over REST 2 as carol (the ticket's owner): the reply and the status change in one call.
export const solve: Solution = async ({ urls }) => {
  const rt = new Rt(urls.hd!, "carol");
  const ticket = await rt.ticketBySubject("New invoice address");
  await rt.correspond(ticket.id, TEXT, { Status: "resolved" });
};

// Writes the confirmation as an internal comment: Jonas only gets RT's "resolved" notice.
export const wrong: Solution = async ({ urls }) => {
  const rt = new Rt(urls.hd!, "carol");
  const ticket = await rt.ticketBySubject("New invoice address");
  await rt.comment(ticket.id, TEXT, { Status: "resolved" });
};
