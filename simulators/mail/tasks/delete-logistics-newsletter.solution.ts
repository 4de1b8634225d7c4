import type { Page } from "playwright-core";
import type { Solution } from "@terrarium/sdk";

// In Roundcube's Elastic UI in Chromium, logged in as dana: select the message in the list, wait for
// its preview, then the toolbar's Delete button (which moves it to Trash; Roundcube then opens the
// next message, here a read one).
async function remove(page: Page, base: string, subject: string): Promise<void> {
  await page.goto(`${base}/?_task=mail&_mbox=INBOX`);
  await page.locator("#messagelist tr", { hasText: subject }).click();
  await page.frameLocator("#messagecontframe").locator("h2.subject", { hasText: subject }).waitFor();
  // The button is enabled once the selection is known; the move request is what does the work.
  const moved = page.waitForResponse((r) => r.url().includes("_action=move") && r.ok(), { timeout: 30_000 });
  await page.locator("#toolbar-menu a.delete:not(.disabled)").click();
  await moved;
}

export const solve: Solution = async ({ pages, urls }) => {
  const page = (await pages()).mail!;
  await remove(page, urls.mail!, "Logistics Weekly: five trends in last-mile route optimisation");
};

// Clicks the row just above the newsletter: the Northwind licence request goes to Trash instead.
export const wrong: Solution = async ({ pages, urls }) => {
  const page = (await pages()).mail!;
  await remove(page, urls.mail!, "Licence extension for 25 more drivers");
};
