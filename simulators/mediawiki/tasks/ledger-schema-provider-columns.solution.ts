import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

const OLD_ROW = "| payments || money received, linked to invoices";
const NEW_ROW =
  "| payments || money received, linked to invoices; provider and provider_ref identify the payment at the payment gateway";

async function update(urls: Record<string, string>, removeNotice: boolean): Promise<void> {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  let text = await api.text("Ledger database schema");
  if (!text.includes(OLD_ROW)) throw new Error("the payments row is not on the page");
  text = text.replace(OLD_ROW, NEW_ROW);
  if (removeNotice) text = text.replace(/\{\{Outdated\|[^}]*\}\}\n/, "");
  await api.edit("Ledger database schema", text, "Payments: provider columns; the page is current again");

  const talk = await api.text("Talk:Ledger database schema");
  await api.edit(
    "Talk:Ledger database schema",
    `${talk.trimEnd()}\n: Done: the payments row lists the provider columns and the page is up to date now. ~~~~\n`,
    "Reply: page updated",
  );
}

export const solve: Solution = async ({ urls }) => {
  await update(urls, true);
};

// Updates the row and replies, but leaves the outdated notice on the page.
export const wrong: Solution = async ({ urls }) => {
  await update(urls, false);
};
