import type { Page } from "playwright-core";
import type { Solution } from "@terrarium/sdk";

const SUBJECT = "Onboarding workshop on 9 April";

// Roundcube's compose form in Chromium (the Compose button): recipients are typed into the recipient widgets (a comma
// ends one), then subject, body and Send; Roundcube confirms and returns to the message list.
async function compose(page: Page, base: string, to: string, cc: string | undefined, body: string): Promise<void> {
  // From the message list, once its requests are done: Roundcube keeps the compose form's state in
  // the PHP session, which a request still in flight from the list would overwrite ("compose session
  // not found").
  await page.goto(`${base}/?_task=mail&_mbox=INBOX`);
  await page.waitForLoadState("networkidle");
  await page.locator("a.compose").first().click();
  await page.locator("#compose_to input").first().waitFor();
  await page.waitForLoadState("networkidle");
  await page.locator("#compose_to input").first().pressSequentially(`${to},`, { delay: 10 });
  await page.locator("#compose_to li.recipient", { hasText: to }).waitFor();
  if (cc) {
    await page.locator("#compose_to a[data-popup='headers-menu']").click();
    await page.locator("#headers-menu a[data-target='cc']").click();
    await page.locator("#compose_cc input").first().pressSequentially(`${cc},`, { delay: 10 });
    await page.locator("#compose_cc li.recipient", { hasText: cc }).waitFor();
  }
  await page.fill("#compose-subject", SUBJECT);
  await page.fill("#composebody", body);
  // Recipient lookups (the address book's autocompletion) must be done before Send.
  await page.keyboard.press("Escape");
  await page.waitForLoadState("networkidle");
  await page.locator("button.btn.send, a.btn.send").first().click();
  await page.waitForURL((url) => !url.search.includes("_action=compose"), { timeout: 30_000 });
  // Postfix delivers right after Roundcube's send; give its queue a moment.
  await page.waitForTimeout(1500);
}

const BODY = `Dear Elena,

I am happy to confirm the onboarding workshop in Madrid on 9 April. Erik Nilsson, our support and
sales engineer, will run it; the agenda is the one you sent him.

Kind regards,
Dana`;

export const solve: Solution = async ({ pages, urls }) => {
  const page = (await pages()).mail!;
  await compose(page, urls.mail!, "elena.ruiz@sunrise-deliveries.example", "erik@kestrel.example", BODY);
};

// Forgets to copy Erik: Elena gets the confirmation, Erik never hears about it.
export const wrong: Solution = async ({ pages, urls }) => {
  const page = (await pages()).mail!;
  await compose(page, urls.mail!, "elena.ruiz@sunrise-deliveries.example", undefined, BODY);
};
