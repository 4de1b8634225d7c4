import type { Solution } from "@terrarium/sdk";
import { editTicket, ticketField, ticketRows } from "./fossil-ui.js";

const REMARK = "Deferred: out of scope for 0.2.";

// In the browser, logged in as admin: the "All Tickets" report lists every ticket and its status; each
// candidate's page shows its priority; the Low ones are edited (status Deferred, the remark).
async function defer(context: Parameters<Solution>[0], statuses: string[]): Promise<void> {
  const page = (await context.pages()).forge!;
  const base = context.urls.forge!;
  const candidates = (await ticketRows(page, base)).filter((t) => statuses.includes(t.status));
  for (const ticket of candidates) {
    await page.goto(`${base}/tktview/${ticket.id}`);
    if ((await ticketField(page, "Priority")) !== "Low") continue;
    await editTicket(page, { selects: { status: "Deferred" }, remark: REMARK });
  }
}

export const solve: Solution = async (context) => {
  await defer(context, ["Open"]);
};

// Treats every ticket still in progress as open: the Low ticket in Review is deferred too.
export const wrong: Solution = async (context) => {
  await defer(context, ["Open", "Review"]);
};
