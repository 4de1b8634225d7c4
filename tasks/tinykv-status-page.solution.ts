import type { Solution } from "@terrarium/sdk";
import { createWikiPage, fossilTickets } from "./lib/apps.js";

async function report(urls: Record<string, string>, statuses: string[]): Promise<{ answer: string }> {
  const open = (await fossilTickets(urls.forge!)).filter((t) => statuses.includes(t.status!)).length;
  await createWikiPage(urls.wiki!, "TinyKV status", `Open tickets: ${open}`, "TinyKV ticket count");
  return { answer: String(open) };
}

export const solve: Solution = async ({ urls }) => report(urls, ["Open"]);

/** The plausible mistake: tickets in Review counted as open. */
export const wrong: Solution = async ({ urls }) => report(urls, ["Open", "Review"]);
