import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

// Over REST 2: one PUT with the priority (RT's High is 100) and the custom field.
async function escalate(base: string, severity: string): Promise<void> {
  const rt = new Rt(base);
  const ticket = await rt.ticketBySubject("Dispatch API returns 500 on bulk route import");
  await rt.update(ticket.id, { Priority: 100, CustomFields: { Severity: severity } });
}

export const solve: Solution = async ({ urls }) => {
  await escalate(urls.hd!, "Critical");
};

// Stops one step short: Severity High.
export const wrong: Solution = async ({ urls }) => {
  await escalate(urls.hd!, "High");
};
