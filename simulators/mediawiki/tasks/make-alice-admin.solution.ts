import type { Solution } from "@terrarium/sdk";

// Through the wiki's UI, as the admin the browser is logged in as: Special:UserRights for Alice, then
// the edit form of Kestrel Wiki:About.
async function promote(context: Parameters<Solution>[0], groups: string[]): Promise<void> {
  const page = (await context.pages()).wiki!;
  const base = context.urls.wiki!;
  await page.goto(`${base}/index.php?title=Special:UserRights/Alice`);
  for (const group of groups) await page.locator(`#wpGroup-${group}`).check();
  await page.locator("#wpReason").fill("Alice helps administer the wiki");
  await Promise.all([page.waitForLoadState("load"), page.locator("input[name=saveusergroups]").click()]);
  await page.locator("#mw-content-text").getByText("administrator", { exact: false }).first().waitFor();

  await page.goto(`${base}/index.php?title=Kestrel_Wiki:About&action=edit`);
  const box = page.locator("#wpTextbox1");
  const text = await box.inputValue();
  const line = "Administrators: [[User:Admin|Admin]].";
  if (!text.includes(line)) throw new Error(`the About page has no line "${line}"`);
  await box.fill(text.replace(line, "Administrators: [[User:Admin|Admin]] and [[User:Alice|Alice]]."));
  await page.locator("#wpSummary").fill("Alice is an administrator too");
  await Promise.all([page.waitForURL((url) => !url.search.includes("action=edit")), page.locator("#wpSave").click()]);
}

export const solve: Solution = async (context) => {
  await promote(context, ["sysop"]);
};

// Ticks every administrative box on the form, bureaucrat included.
export const wrong: Solution = async (context) => {
  await promote(context, ["sysop", "bureaucrat"]);
};
