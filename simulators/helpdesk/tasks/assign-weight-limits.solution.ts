import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

// Over REST 2: the ticket found by subject, one PUT with the owner and the custom field.
async function assign(base: string, owner: string): Promise<void> {
  const rt = new Rt(base);
  const ticket = await rt.ticketBySubject("Route optimiser ignores our weight limits");
  await rt.update(ticket.id, { Owner: owner, CustomFields: { Severity: "High" } });
}

export const solve: Solution = async ({ urls }) => {
  await assign(urls.hd!, "bob");
};

// Gives it to the engineering lead instead of Bob.
export const wrong: Solution = async ({ urls }) => {
  await assign(urls.hd!, "alice");
};
