import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

// Over REST 2: the ticket's watcher list with Hanna added (the ticket has no Cc or AdminCc yet).
async function watch(base: string, role: "Cc" | "AdminCc"): Promise<void> {
  const rt = new Rt(base);
  const ticket = await rt.ticketBySubject("Wrong distances in the monthly report");
  await rt.update(ticket.id, { [role]: ["hanna.schulz@bluewater-freight.example"] });
}

export const solve: Solution = async ({ urls }) => {
  await watch(urls.hd!, "Cc");
};

// Adds her as AdminCc, the role for staff: she would get internal comments and no say as a customer.
export const wrong: Solution = async ({ urls }) => {
  await watch(urls.hd!, "AdminCc");
};
