import type { Solution } from "@terrarium/sdk";
import { findTicket, results } from "./lib/rt-ui.js";

// Through RT's web UI, as the admin the browser is logged in as: the duplicate's Links page, its
// "Merge into" field with the other ticket's number, Save Changes.
async function merge(context: Parameters<Solution>[0], from: string, into: string): Promise<void> {
  const page = (await context.pages()).hd!;
  const base = context.urls.hd!;
  const source = await findTicket(page, base, from);
  const target = await findTicket(page, base, into);
  await page.goto(`${base}/Ticket/ModifyLinks.html?id=${source}`);
  await page.locator(`input[name="${source}-MergeInto"]`).fill(String(target));
  await page.locator("input[name=SubmitTicket]").click();
  const text = await results(page);
  if (!/merge successful/i.test(text)) throw new Error(`merge: ${text}`);
}

export const solve: Solution = async (context) => {
  await merge(context, "Driver app closes when scanning parcels", "Barcode scanner crash in driver app");
};

// Merges the other way round: Priya's older ticket, with its history, disappears into Tobias's.
export const wrong: Solution = async (context) => {
  await merge(context, "Barcode scanner crash in driver app", "Driver app closes when scanning parcels");
};
