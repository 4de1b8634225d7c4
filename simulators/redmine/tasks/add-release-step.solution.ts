import type { Solution } from "@terrarium/sdk";

// Through Redmine's UI, as the admin the browser is logged in as: the page's edit form.
const STEP = "# Update the API changelog on the developer portal.";

async function edit(context: Parameters<Solution>[0], change: (text: string) => string): Promise<void> {
  const page = (await context.pages()).pm!;
  await page.goto(`${context.urls.pm}/projects/dispatch/wiki`);
  await page.locator("#content .wiki").getByRole("link", { name: "Release process", exact: true }).click();
  await page.locator("#content .contextual a.icon-edit").first().click();
  const textarea = page.locator("#content_text");
  await textarea.fill(change(await textarea.inputValue()));
  await page.locator("#content_comments").fill("Changelog step");
  await page.locator("#wiki_form input[name=commit]").click();
  await page.locator("#content .wiki").waitFor();
}

export const solve: Solution = async (context) => {
  await edit(context, (text) => `${text.trimEnd()}\n${STEP}\n`);
};

// Puts the step first instead of last: the changelog would be updated before the release exists.
export const wrong: Solution = async (context) => {
  await edit(context, (text) => text.replace(/^# /m, `${STEP}\n# `));
};
