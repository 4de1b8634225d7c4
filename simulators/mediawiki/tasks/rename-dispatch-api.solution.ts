import type { Solution } from "@terrarium/sdk";
import type { Page } from "playwright-core";

// Through the wiki's UI, as the admin the browser is logged in as: Special:MovePage, then the edit form
// of the old redirect.
async function move(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/index.php?title=Special:MovePage/Dispatch_API`);
  await page.locator("input[name=wpNewTitleMain]").fill("Dispatch API v2");
  await page.locator("input[name=wpReason]").fill("The page documents version 2 of the API");
  const leaveRedirect = page.locator("input[name=wpLeaveRedirect]");
  if ((await leaveRedirect.count()) > 0 && !(await leaveRedirect.isChecked())) await leaveRedirect.check();
  await Promise.all([
    page.waitForURL(/Special:MovePage/),
    page.locator("button[name=wpMove], input[name=wpMove]").click(),
  ]);
  await page.locator("#mw-content-text").getByText("has been moved to", { exact: false }).waitFor();
}

export const solve: Solution = async ({ pages, urls }) => {
  const page = (await pages()).wiki!;
  await move(page, urls.wiki!);
  await page.goto(`${urls.wiki}/index.php?title=Dispatch_API_reference&action=edit`);
  await page.locator("#wpTextbox1").fill("#REDIRECT [[Dispatch API v2]]");
  await page.locator("#wpSummary").fill("Point straight at the renamed page");
  await Promise.all([page.waitForURL((url) => !url.search.includes("action=edit")), page.locator("#wpSave").click()]);
};

// Renames the page but leaves "Dispatch API reference" as a double redirect.
export const wrong: Solution = async ({ pages, urls }) => {
  await move((await pages()).wiki!, urls.wiki!);
};
