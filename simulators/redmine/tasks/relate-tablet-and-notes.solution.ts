import type { Solution } from "@terrarium/sdk";
import type { Page } from "playwright-core";

// Through Redmine's UI, as the admin the browser is logged in as: the issue page's "Related issues"
// section, which asks for the other issue's number.
async function issueNumber(page: Page, base: string, subject: string): Promise<string> {
  await page.goto(`${base}/projects/mobile/issues?set_filter=1&status_id=*`);
  const href = await page.getByRole("link", { name: subject, exact: true }).getAttribute("href");
  return href!.split("/").pop()!;
}

async function relate(context: Parameters<Solution>[0], type: string): Promise<void> {
  const page = (await context.pages()).pm!;
  const base = context.urls.pm!;
  const tablet = await issueNumber(page, base, "Tablet layout for the job list");
  await page.getByRole("link", { name: "Show the customer's delivery notes more prominently", exact: true }).click();
  await page.locator("#relations .contextual a").click();
  await page.locator("#relation_relation_type").selectOption(type);
  await page.locator("#relation_issue_to_id").fill(tablet);
  await page.locator("#new-relation-form input[type=submit]").click();
  await page.locator("#relations table.list.issues").waitFor();
}

export const solve: Solution = async (context) => {
  await relate(context, "relates");
};

// Picks "Blocks" in the relation list: the delivery-notes feature would now hold the tablet layout back.
export const wrong: Solution = async (context) => {
  await relate(context, "blocks");
};
