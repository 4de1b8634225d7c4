import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

async function setLimit(urls: Record<string, string>, from: string, to: string): Promise<void> {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  const text = await api.text("Travel policy");
  if (!text.includes(from)) throw new Error(`"${from}" is not on the page`);
  await api.edit("Travel policy", text.replace(from, to), "Hotel limit for Lisbon and Porto is now 160 EUR");
}

export const solve: Solution = async ({ urls }) => {
  await setLimit(urls, "Up to 140 EUR per night in Lisbon and Porto", "Up to 160 EUR per night in Lisbon and Porto");
};

// Right page, wrong line: raises the "elsewhere" limit and leaves Lisbon and Porto at 140 EUR.
export const wrong: Solution = async ({ urls }) => {
  await setLimit(urls, "180 EUR elsewhere", "160 EUR elsewhere");
};
