import type { Solution } from "@terrarium/sdk";

// Through Redmine's UI, as the admin the browser is logged in as: Infrastructure's settings, Members
// tab, "New member" dialog.
async function addMember(context: Parameters<Solution>[0], role: string): Promise<void> {
  const page = (await context.pages()).pm!;
  await page.goto(`${context.urls.pm}/projects`);
  await page.locator("#projects-index").getByRole("link", { name: "Infrastructure", exact: true }).click();
  await page.locator("#main-menu a.settings").click();
  await page.locator("#tab-members").click();
  await page.locator("#tab-content-members a.icon-add").click();
  const dialog = page.locator("#ajax-modal");
  await dialog.locator("#principal_search").fill("Carol");
  // The search replaces the list of candidates: wait until only Carol is left.
  await page.waitForFunction(() => document.querySelectorAll("#ajax-modal #principals label").length === 1);
  await dialog.getByLabel("Carol Lindqvist").check();
  await dialog.getByLabel(role, { exact: true }).check();
  await dialog.locator("#member-add-submit").click();
  await page.locator("#tab-content-members table.members").getByText("Carol Lindqvist").waitFor();
}

export const solve: Solution = async (context) => {
  await addMember(context, "Reporter");
};

// Ticks Developer instead of Reporter: Carol could now edit and log time on infrastructure issues.
export const wrong: Solution = async (context) => {
  await addMember(context, "Developer");
};
