// sao, Tryton's web client, driven with Playwright the way a person uses it: a model's list opened
// from the URL, a record opened by double-clicking its row, fields typed into, Ctrl+S to save.
import type { Page } from "playwright-core";

/** Opens the list of `model` (e.g. sale.opportunity) in a new tab of the logged-in client. */
export async function openList(page: Page, model: string): Promise<void> {
  // sao follows the URL once its menu is there.
  await page.locator("#menu").getByText("Party", { exact: true }).first().waitFor();
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, `#tryton/model/${model}`);
  await page.locator(LIST_ROWS).first().waitFor();
}

/** The rows of a list in a tab (the menu is a tree table too, without stripes). */
const LIST_ROWS = "table.tree.table-striped tbody tr";

/** Opens the record whose row shows `text` (in the list opened last), a value its form shows too. */
export async function openRecord(page: Page, text: string): Promise<void> {
  // On the cell itself: other cells of the row hold links (party, employee) that open those records.
  await page.locator(LIST_ROWS).getByText(text, { exact: true }).first().dblclick();
  // The form is there once a field of it shows the record (its values arrive after the form).
  await page.waitForFunction(
    (expected) =>
      Array.from(document.querySelectorAll<HTMLInputElement>(".form input[name]")).some(
        (input) => input.offsetParent !== null && input.value === expected,
      ),
    text,
  );
}

/**
 * Types `value` into the form field `name` and leaves it (Tab), as a person would. Numeric fields
 * show a text input that turns into a number input once focused: the visible one is typed into.
 */
export async function setField(page: Page, name: string, value: string): Promise<void> {
  const field = () => page.locator(`.form [name="${name}"]:visible`).first();
  await field().click();
  await field().fill(value);
  await field().press("Tab");
}

/** Picks `label` for the many-to-one field `name`: types it and clicks it in sao's completion list. */
export async function setMany2One(page: Page, name: string, label: string): Promise<void> {
  const field = page.locator(`.form input[name="${name}"]:visible`).first();
  await field.click();
  await field.fill("");
  await field.pressSequentially(label, { delay: 30 });
  await page.locator(".dropdown-menu:visible li.completion a").filter({ hasText: label }).first().click();
  await page.waitForFunction(
    ([selector, expected]) => (document.querySelector(selector) as HTMLInputElement | null)?.value === expected,
    [`.form input[name="${name}"]`, label] as const,
  );
}

/** Saves the open form (Ctrl+S) and waits for the write to come back. */
export async function save(page: Page, model: string): Promise<void> {
  const written = page.waitForResponse((r) => (r.request().postData() ?? "").includes(`"model.${model}.write"`));
  await page.keyboard.press("Control+s");
  const response = await written;
  const body = (await response.json()) as { error?: unknown };
  if (body.error) throw new Error(`saving ${model}: ${JSON.stringify(body.error)}`);
}
