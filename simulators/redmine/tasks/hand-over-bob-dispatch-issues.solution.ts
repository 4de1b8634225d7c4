import type { Solution } from "@terrarium/sdk";

// Through Redmine's UI, as the admin the browser is logged in as: the issue list filtered on Bob's
// open issues, all rows selected, the context menu's "Bulk edit", one form for all of them.
const NOTE = "Reassigned to Alice: Bob moves to the Kestrel Mobile team.";

async function handOver(context: Parameters<Solution>[0], list: string): Promise<void> {
  const page = (await context.pages()).pm!;
  await page.goto(`${context.urls.pm}${list}`);
  // Filters: open issues, assignee Bob Okafor.
  await page.locator("#add_filter_select").selectOption("assigned_to_id");
  await page.locator("#operators_assigned_to_id").selectOption("=");
  await page.locator("#values_assigned_to_id_1").selectOption({ label: "Bob Okafor" });
  await page.locator("#query_form .buttons a.icon-checked").click();
  await page.locator("table.list.issues").waitFor();
  await page.locator("table.list.issues th.checkbox input[type=checkbox]").check();
  await page
    .locator("table.list.issues tbody tr")
    .first()
    .click({ button: "right", position: { x: 200, y: 5 } });
  await page.locator("#context-menu a.icon-edit").filter({ hasText: "Bulk edit" }).click();
  await page.locator("#issue_assigned_to_id").selectOption({ label: "Alice Moreau" });
  await page.locator("#notes").fill(NOTE);
  await page.locator("#bulk_edit_form input[name=commit]").click();
  await page.locator("#flash_notice").waitFor();
}

export const solve: Solution = async (context) => {
  await handOver(context, "/projects/dispatch/issues?set_filter=1&status_id=o");
};

// Works from the cross-project issue list: Bob's open issues in Kestrel Mobile, the Customer Portal
// and Infrastructure are handed over too.
export const wrong: Solution = async (context) => {
  await handOver(context, "/issues?set_filter=1&status_id=o");
};
