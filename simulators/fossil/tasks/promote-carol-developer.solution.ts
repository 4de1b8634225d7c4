import type { Page } from "playwright-core";
import type { Solution } from "@terrarium/sdk";

// In the browser, logged in as admin: Admin > Users, Alice's page read for the capability boxes she
// has, then Carol's page with the boxes set, Apply Changes.
async function capabilityBoxes(page: Page, base: string, login: string): Promise<Map<string, boolean>> {
  await page.goto(`${base}/setup_ulist`);
  await Promise.all([page.waitForURL(/setup_uedit/), page.getByRole("link", { name: login, exact: true }).click()]);
  const boxes = new Map<string, boolean>();
  for (const box of await page.locator("input[type=checkbox][name^=a]").all())
    boxes.set((await box.getAttribute("name"))!, await box.isChecked());
  return boxes;
}

async function giveCarol(context: Parameters<Solution>[0], keepHers: boolean): Promise<void> {
  const page = (await context.pages()).forge!;
  const base = context.urls.forge!;
  const alice = await capabilityBoxes(page, base, "alice");
  const carol = await capabilityBoxes(page, base, "carol"); // now on Carol's page
  for (const [name, checked] of alice) {
    const box = page.locator(`input[type=checkbox][name=${name}]`);
    await box.setChecked(checked || (keepHers && carol.get(name) === true));
  }
  await Promise.all([page.waitForURL(/setup_ulist/), page.locator("input[name=apply]").click()]);
}

export const solve: Solution = async (context) => {
  await giveCarol(context, false);
};

// Adds Alice's capabilities to Carol's instead of replacing them: Carol keeps clone and hyperlinks too.
export const wrong: Solution = async (context) => {
  await giveCarol(context, true);
};
