import type { Solution } from "@terrarium/sdk";

// Through Redmine's UI, as the admin the browser is logged in as: the issue list of Kestrel Mobile,
// the issue, its edit form.
async function assign(context: Parameters<Solution>[0], assignee: string): Promise<void> {
  const page = (await context.pages()).pm!;
  await page.goto(`${context.urls.pm}/projects/mobile/issues`);
  await page.getByRole("link", { name: "Tablet layout for the job list", exact: true }).click();
  await page.locator("#content .contextual a.icon-edit").first().click();
  await page.locator("#issue_assigned_to_id").selectOption({ label: assignee });
  await page.locator("#issue-form input[name=commit]").click();
  await page.locator("#flash_notice").waitFor();
}

export const solve: Solution = async (context) => {
  await assign(context, "Bob Okafor");
};

// Picks the wrong person in the assignee list.
export const wrong: Solution = async (context) => {
  await assign(context, "Alice Moreau");
};
