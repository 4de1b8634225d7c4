import type { Solution } from "@terrarium/sdk";
import { editTicket, openTicket } from "./fossil-ui.js";

// In the browser, logged in as admin: the Roadmap in the wiki editor (its text edited in the textarea,
// Save), then the ticket from the "All Tickets" report, Edit, priority Medium, Preview, Submit.
async function pullIn(context: Parameters<Solution>[0], removeFrom10: boolean): Promise<void> {
  const page = (await context.pages()).forge!;
  const base = context.urls.forge!;
  await page.goto(`${base}/wikiedit?name=Roadmap`);
  await page.getByText("Loaded page [Roadmap]").waitFor();
  const box = page.locator("textarea.wikiedit");
  const lines = (await box.inputValue()).split(/\r?\n/);
  const item = "* Iterator over keys";
  const moved = removeFrom10 ? lines.filter((l) => l !== item) : [...lines];
  moved.splice(moved.indexOf("## 1.0") - 1, 0, item); // last item of 0.2, before the blank line
  await box.fill(moved.join("\n"));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved page: [Roadmap]").first().waitFor();

  await openTicket(page, base, "Add an iterator over all keys");
  await editTicket(page, { selects: { priority: "Medium" } });
}

export const solve: Solution = async (context) => {
  await pullIn(context, true);
};

// Adds the item to 0.2 but leaves it under 1.0 as well.
export const wrong: Solution = async (context) => {
  await pullIn(context, false);
};
