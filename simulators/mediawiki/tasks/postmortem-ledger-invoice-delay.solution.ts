import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

const TITLE = "Postmortem: Ledger invoice run delay";
const POSTMORTEM = `{{Owner|[[User:Bob|Bob]]}}
'''Severity:''' SEV2 · '''Duration:''' 2 h 15 min · '''Impact:''' invoices sent 2 hours late to 40 customers.

== Summary ==
The nightly invoice job of [[Ledger]] waited on a locked payments table, so the invoice run finished late.

[[Category:Postmortems]]
[[Category:Operations]]
`;
const WEEK_6 = `== Week 6 ==\n* Postmortem: [[${TITLE}]].\n\n`;

async function write(urls: Record<string, string>, notes: (text: string) => string): Promise<void> {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  const token = (await api.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
  const created = await api.call(
    { action: "edit", title: TITLE, text: POSTMORTEM, summary: "Postmortem draft", createonly: "1", token },
    true,
  );
  if (created.edit?.result !== "Success") throw new Error(`create failed: ${JSON.stringify(created)}`);
  const page = "Meeting notes/Weekly engineering sync";
  await api.edit(page, notes(await api.text(page)), "Week 6: Ledger postmortem");
}

export const solve: Solution = async ({ urls }) => {
  await write(urls, (text) => {
    if (!text.includes("== Week 5 ==")) throw new Error("no Week 5 section");
    return text.replace("== Week 5 ==", `${WEEK_6}== Week 5 ==`);
  });
};

// Appends the new week at the bottom of the notes, below Week 1, although the page is newest first.
export const wrong: Solution = async ({ urls }) => {
  await write(urls, (text) => text.replace("[[Category:Meeting notes]]", `${WEEK_6}[[Category:Meeting notes]]`));
};
