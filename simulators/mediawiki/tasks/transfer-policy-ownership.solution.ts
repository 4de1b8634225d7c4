import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

const CAROL = "{{Owner|[[User:Carol|Carol]]";
const ALICE = "{{Owner|[[User:Alice|Alice]]";

/** Titles of a category's member pages (not subcategories or files). */
async function members(api: WikiApi, category: string): Promise<string[]> {
  const answer = await api.call({
    action: "query",
    list: "categorymembers",
    cmtitle: category,
    cmtype: "page",
    cmlimit: "500",
  });
  return answer.query.categorymembers.map((m: { title: string }) => m.title);
}

async function handOver(api: WikiApi, titles: string[]): Promise<void> {
  for (const title of titles) {
    const text = await api.text(title);
    if (text.includes(CAROL)) await api.edit(title, text.replace(CAROL, ALICE), "Alice owns the company policies now");
  }
}

async function updateOwnershipPage(api: WikiApi): Promise<void> {
  const text = await api.text("Kestrel Wiki:Page ownership");
  const line = "* Policies and people pages: [[User:Carol|Carol]]";
  if (!text.includes(line)) throw new Error(`no line "${line}"`);
  await api.edit(
    "Kestrel Wiki:Page ownership",
    text.replace(line, "* Policies: [[User:Alice|Alice]]\n* People pages: [[User:Carol|Carol]]"),
    "Policies move to Alice",
  );
}

export const solve: Solution = async ({ urls }) => {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  await handOver(api, await members(api, "Category:Policies"));
  await updateOwnershipPage(api);
};

// Hands over everything Carol owns, her people and culture pages included.
export const wrong: Solution = async ({ urls }) => {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  const titles = new Set([
    ...(await members(api, "Category:Policies")),
    ...(await members(api, "Category:People and culture")),
  ]);
  await handOver(api, [...titles]);
  await updateOwnershipPage(api);
};
