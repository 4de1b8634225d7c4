import type { Solution } from "@terrarium/sdk";
import { findTicket, results } from "./lib/rt-ui.js";

// Through RT's web UI: the ticket's Basics page (Ticket/Modify.html), the two custom-field drop-downs,
// Save Changes.
async function triage(context: Parameters<Solution>[0], product: string): Promise<void> {
  const page = (await context.pages()).hd!;
  const base = context.urls.hd!;
  const id = await findTicket(page, base, "Customer Portal login page shows blank screen");
  await page.goto(`${base}/Ticket/Modify.html?id=${id}`);
  const field = (name: string) =>
    page.locator(
      `.edit-custom-field:has(.label span:text-is("${name}:")) select[name^="Object-RT::Ticket-${id}-CustomField-"]`,
    );
  await field("Product").selectOption({ label: product }, { force: true });
  await field("Severity").selectOption({ label: "High" }, { force: true });
  await page.locator("input[name=SubmitTicket]").click();
  await results(page);
}

export const solve: Solution = async (context) => {
  await triage(context, "Customer Portal");
};

// Files it under Dispatch, the platform the portal runs on.
export const wrong: Solution = async (context) => {
  await triage(context, "Dispatch");
};
