import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

// Over REST 2: one PUT with the new queue and owner.
async function move(base: string, owner: string): Promise<void> {
  const rt = new Rt(base);
  const ticket = await rt.ticketBySubject("VAT number missing on February invoice");
  await rt.update(ticket.id, { Queue: "Billing", Owner: owner });
}

export const solve: Solution = async ({ urls }) => {
  await move(urls.hd!, "carol");
};

// Gives it to the account manager, who handles Sunrise's contract, instead of Carol.
export const wrong: Solution = async ({ urls }) => {
  await move(urls.hd!, "dana");
};
