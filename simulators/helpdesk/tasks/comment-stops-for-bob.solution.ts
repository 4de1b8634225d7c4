import type { Solution } from "@terrarium/sdk";
import { findTicket, results } from "./lib/rt-ui.js";

const NOTE = "Bob, this happens on every route with a break; Fjord Couriers re-optimise at noon.";

// Through RT's web UI: the ticket's page, its Comment (or Reply) page, the message box, Update Ticket.
async function write(context: Parameters<Solution>[0], action: "Comment" | "Respond"): Promise<void> {
  const page = (await context.pages()).hd!;
  const base = context.urls.hd!;
  const id = await findTicket(page, base, "Stops out of order after re-optimising");
  await page.goto(`${base}/Ticket/Display.html?id=${id}`);
  // The page menu's Actions > Comment (or Reply) link, followed (the menu opens on hover).
  const href = await page.locator(`#page-actions-${action === "Comment" ? "comment" : "reply"}`).getAttribute("href");
  await page.goto(`${base}${href}`);
  await page.locator("#UpdateType").waitFor({ state: "attached" });
  const type = await page.locator("#UpdateType").inputValue();
  if (type !== (action === "Comment" ? "private" : "response")) throw new Error(`${action} opened a ${type} form`);
  await page.locator("textarea[name=UpdateContent]").fill(NOTE);
  await page.locator("input[name=SubmitTicket]").click();
  await results(page);
}

export const solve: Solution = async (context) => {
  await write(context, "Comment");
};

// Uses Reply: the note is mailed to Lars Haugen at Fjord Couriers.
export const wrong: Solution = async (context) => {
  await write(context, "Respond");
};
