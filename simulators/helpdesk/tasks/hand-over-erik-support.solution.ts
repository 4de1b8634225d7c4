import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

const NOTE = "Handed over to Carol: Erik is on leave.";

// Over REST 2: TicketSQL finds Erik's unresolved tickets; each gets the comment, then the new owner.
async function handOver(base: string, query: string): Promise<void> {
  const rt = new Rt(base);
  for (const id of await rt.search(query)) {
    await rt.comment(id, NOTE);
    await rt.update(id, { Owner: "carol" });
  }
}

export const solve: Solution = async ({ urls }) => {
  await handOver(urls.hd!, "Owner = 'erik' AND Queue = 'Support' AND Status = '__Active__'");
};

// Hands over every unresolved ticket of Erik's, his Onboarding tickets too.
export const wrong: Solution = async ({ urls }) => {
  await handOver(urls.hd!, "Owner = 'erik' AND Status = '__Active__'");
};
