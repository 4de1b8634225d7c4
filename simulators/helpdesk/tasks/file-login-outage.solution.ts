import type { Solution } from "@terrarium/sdk";
import { results } from "./lib/rt-ui.js";

const TEXT =
  "Elena Ruiz (Sunrise Deliveries) phoned: since this morning none of their drivers can log in to " +
  'Kestrel Mobile; the app says "invalid licence".';

// Through RT's web UI: the Create form of the Support queue (requestor, subject, message, custom
// fields, priority), Create.
async function file(context: Parameters<Solution>[0], requestor: string | undefined): Promise<void> {
  const page = (await context.pages()).hd!;
  await page.goto(`${context.urls.hd!}/Ticket/Create.html?Queue=Support`);
  await page.locator("input[name=Subject]").waitFor();
  // The form proposes the creator as requestor.
  if (requestor) {
    // An autocomplete box (selectize): the proposed address removed, the customer's entered in its place
    // (through the widget's own API: typed keys race its re-rendering).
    await page.evaluate((email) => {
      type Selectize = { clear(): void; createItem(input: string): void };
      const widget = (document.getElementById("Requestors") as unknown as { selectize: Selectize }).selectize;
      widget.clear();
      widget.createItem(email);
    }, requestor);
    const value = await page.locator("#Requestors").inputValue();
    if (value !== requestor) throw new Error(`requestors: ${value}`);
  }
  await page.locator("input[name=Subject]").fill("Drivers cannot log in: invalid licence");
  await page.locator("textarea[name=Content]").fill(TEXT);
  const field = (name: string) =>
    page.locator(
      `.edit-custom-field:has(.label span:text-is("${name}:")) select[name^="Object-RT::Ticket--CustomField-"]`,
    );
  await field("Product").selectOption({ label: "Kestrel Mobile" }, { force: true });
  await field("Severity").selectOption({ label: "Critical" }, { force: true });
  await page.locator("select[name=InitialPriority]").selectOption({ label: "High" }, { force: true });
  await page.locator("input[name=SubmitTicket]").first().click();
  const text = await results(page);
  if (!/created/i.test(text)) throw new Error(`create: ${text}`);
}

export const solve: Solution = async (context) => {
  await file(context, "elena.ruiz@sunrise-deliveries.example");
};

// Leaves the requestor the form proposes (the admin filing it): Elena hears nothing from the ticket.
export const wrong: Solution = async (context) => {
  await file(context, undefined);
};
