import type { Solution } from "@terrarium/sdk";

// Through the wiki's UI, as the admin the browser is logged in as: Special:CreateAccount (an
// administrator creates accounts for others there), then the Team directory's edit form.
async function onboard(context: Parameters<Solution>[0], username: string): Promise<void> {
  const page = (await context.pages()).wiki!;
  const base = context.urls.wiki!;
  await page.goto(`${base}/index.php?title=Special:CreateAccount`);
  await page.locator("#wpName2").fill(username);
  await page.locator("#wpPassword2").fill("Kestrel-welcome-2026");
  await page.locator("#wpRetype").fill("Kestrel-welcome-2026");
  await page.locator("#wpRealName").fill("Dana Whitfield");
  await page.locator("#wpReason").fill("Customer success lead, Toronto");
  await Promise.all([page.waitForLoadState("load"), page.locator("#wpCreateaccount").click()]);
  await page.locator("#mw-content-text").getByText("has been created").waitFor();

  await page.goto(`${base}/index.php?title=Team_directory&action=edit`);
  const box = page.locator("#wpTextbox1");
  const text = await box.inputValue();
  const row = "| Customer success || Dana Whitfield || Toronto || #customers";
  if (!text.includes(row)) throw new Error("no Customer success row");
  await box.fill(
    text.replace(row, `| Customer success || [[User:${username}|Dana Whitfield]] || Toronto || #customers`),
  );
  await page.locator("#wpSummary").fill("Link Dana's user page");
  await Promise.all([page.waitForURL((url) => !url.search.includes("action=edit")), page.locator("#wpSave").click()]);
}

export const solve: Solution = async (context) => {
  await onboard(context, "Dana");
};

// Uses her full name as the username instead of "Dana".
export const wrong: Solution = async (context) => {
  await onboard(context, "Dana Whitfield");
};
