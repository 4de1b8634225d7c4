import type { Solution } from "@terrarium/sdk";

const QUESTION =
  "**Does TinyKV run on Windows?** The library builds with MinGW, but the tkv tool cannot open paths " +
  "with backslashes yet.";

// In the browser, logged in as admin: the wiki editor of the FAQ page, its text edited in the
// textarea, then Save.
async function editFaq(context: Parameters<Solution>[0], edit: (text: string) => string): Promise<void> {
  const page = (await context.pages()).forge!;
  await page.goto(`${context.urls.forge}/wikiedit?name=FAQ`);
  await page.getByText("Loaded page [FAQ]").waitFor();
  const box = page.locator("textarea.wikiedit");
  await box.fill(edit(await box.inputValue()));
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved page: [FAQ]").first().waitFor();
}

export const solve: Solution = async (context) => {
  await editFaq(context, (text) => `${text.trimEnd()}\n\n${QUESTION}\n`);
};

// Replaces the page's text with the new question instead of appending it: the old questions are lost.
export const wrong: Solution = async (context) => {
  await editFaq(context, () => `# FAQ\n\n${QUESTION}\n`);
};
