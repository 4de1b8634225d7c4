import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

// Finds Jonas's message in the list and reads its text (the message source).
async function read(base: string): Promise<string> {
  const rc = await Roundcube.login(base, "dana");
  const row = (await rc.list("INBOX")).find((r) => r.fromto === "Jonas Berg");
  if (!row) throw new Error("no message from Jonas Berg");
  return rc.source("INBOX", row.uid);
}

export const solve: Solution = async ({ urls }) => {
  const text = await read(urls.mail!);
  const billed = /lists (\d+) Dispatch Standard/.exec(text)?.[1];
  const wanted = /corrected invoice for (\d+)/.exec(text)?.[1];
  return { answer: `The invoice KS-2026-0211 bills ${billed} licences; it should bill ${wanted}.` };
};

// Reads only the invoice's number of licences and takes it for the right one.
export const wrong: Solution = async ({ urls }) => {
  const text = await read(urls.mail!);
  const billed = /lists (\d+) Dispatch Standard/.exec(text)?.[1];
  return { answer: `Bluewater has ${billed} Dispatch Standard licences on invoice KS-2026-0211.` };
};
