/**
 * Playwright steps in Fossil's UI shared by the fossil tasks' solutions: open a ticket from the
 * "All Tickets" report by its title, and edit it with the ticket editor (Preview, then Submit).
 * Not a task: the catalog reads only the .yaml files of this folder.
 */
import type { Page } from "playwright-core";

/** Opens the ticket titled `title` from the "All Tickets" report; answers its id (10 hex digits). */
export async function openTicket(page: Page, base: string, title: string): Promise<string> {
  await page.goto(`${base}/rptview/1`);
  const row = page.locator("tr", { has: page.locator("td", { hasText: title }) });
  const link = row.locator("a[href*='/tktview/']").first();
  const id = (await link.textContent())!.trim();
  await Promise.all([page.waitForURL(/\/tktview\//), link.click()]);
  return id;
}

export interface TicketEdit {
  /** Select fields by name (status, type, severity, priority, resolution) and the option to choose. */
  selects?: Record<string, string>;
  /** Text fields by name (title, foundin, private_contact). */
  texts?: Record<string, string>;
  /** A Markdown remark appended to the ticket. */
  remark?: string;
}

/** From a ticket's page: Edit, change the fields, Preview, Submit; back on the ticket's page. */
export async function editTicket(page: Page, edit: TicketEdit): Promise<void> {
  await Promise.all([
    page.waitForURL(/\/tktedit/),
    page.getByRole("link", { name: "Edit", exact: true }).first().click(),
  ]);
  for (const [name, option] of Object.entries(edit.selects ?? {}))
    await page.locator(`select[name=${name}]`).selectOption(option);
  for (const [name, value] of Object.entries(edit.texts ?? {})) await page.locator(`input[name=${name}]`).fill(value);
  if (edit.remark !== undefined) {
    await page.locator("select[name=mutype]").selectOption("Markdown");
    await page.locator("textarea[name=icomment]").fill(edit.remark);
  }
  await Promise.all([page.waitForLoadState("load"), page.locator("input[name=preview]").click()]);
  await Promise.all([page.waitForURL(/\/tktview\//), page.locator("input[name=submit]").click()]);
}

/** The rows of the "All Tickets" report: id (10 hex digits), status and title of every ticket. */
export async function ticketRows(page: Page, base: string): Promise<{ id: string; status: string; title: string }[]> {
  await page.goto(`${base}/rptview/1`);
  const header = (await page.locator("table.report.sortable thead th").allTextContents()).map((h) => h.trim());
  const rows: { id: string; status: string; title: string }[] = [];
  for (const row of await page
    .locator("table.report.sortable tr", { has: page.locator("a[href*='/tktview/']") })
    .all()) {
    const cells = (await row.locator("td").allTextContents()).map((c) => c.trim());
    const cell = (name: string) => cells[header.indexOf(name)] ?? "";
    rows.push({ id: cell("#"), status: cell("status"), title: cell("title") });
  }
  return rows;
}

/** A field of the ticket page open in `page`, as shown ("Priority:" → "Low"). */
export async function ticketField(page: Page, label: string): Promise<string> {
  const value = page.locator(`xpath=//td[normalize-space()='${label}:']/following-sibling::td[1]`).first();
  return (await value.textContent())!.trim();
}
