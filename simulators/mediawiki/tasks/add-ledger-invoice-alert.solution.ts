import type { Solution } from "@terrarium/sdk";

// Through the wiki's UI, as the admin the browser is logged in as: the page's edit form (WikiEditor
// keeps the plain textarea #wpTextbox1), a row added before the end of the Alerts table, then Save.
async function addRow(context: Parameters<Solution>[0], severity: string): Promise<void> {
  const page = (await context.pages()).wiki!;
  await page.goto(`${context.urls.wiki}/index.php?title=Monitoring_and_alerting&action=edit`);
  const box = page.locator("#wpTextbox1");
  const text = await box.inputValue();
  const last = "| Dispatch queue backlog || above 5,000 jobs for 10 minutes || page\n|}";
  if (!text.includes(last)) throw new Error("the Alerts table does not end as expected");
  await box.fill(
    text.replace(
      last,
      `| Dispatch queue backlog || above 5,000 jobs for 10 minutes || page\n|-\n| Ledger invoice run failed || any failed run || ${severity}\n|}`,
    ),
  );
  await page.locator("#wpSummary").fill("Add the Ledger invoice run alert");
  await Promise.all([page.waitForURL((url) => !url.search.includes("action=edit")), page.locator("#wpSave").click()]);
  await page.locator("#mw-content-text").getByText("Ledger invoice run failed").waitFor();
}

export const solve: Solution = async (context) => {
  await addRow(context, "page");
};

// Files the new alert as a ticket, like the disk usage alert above it, instead of a page.
export const wrong: Solution = async (context) => {
  await addRow(context, "ticket");
};
