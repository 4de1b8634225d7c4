// RT's web UI as an agent in a browser uses it: the pages of a Playwright page logged in as admin.
import type { Page } from "playwright-core";

/** The id of the one ticket with this subject, found with RT's search (Search/Results.html). */
export async function findTicket(page: Page, base: string, subject: string): Promise<number> {
  const query = `Subject = '${subject.replace(/'/g, "\\'")}'`;
  await page.goto(`${base}/Search/Results.html?Query=${encodeURIComponent(query)}`);
  const links = page.locator("table.ticket-list a[href*='/Ticket/Display.html?id=']").filter({ hasText: subject });
  await links.first().waitFor();
  if ((await links.count()) !== 1) throw new Error(`${await links.count()} tickets with the subject "${subject}"`);
  const href = (await links.first().getAttribute("href"))!;
  return Number(/id=(\d+)/.exec(href)![1]);
}

/** Waits for RT's results box after a form was sent (e.g. "Ticket 26: Merged into ticket #11"). */
export async function results(page: Page): Promise<string> {
  const box = page.locator(".results, #results, .action-results").first();
  await box.waitFor();
  return box.innerText();
}
