import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Our new office address from 1 April";

// Roundcube's move action, as dragging the message onto the folder does.
async function file(base: string, target: string): Promise<void> {
  const rc = await Roundcube.login(base, "dana");
  await rc.move("INBOX", [await rc.uidOf("INBOX", SUBJECT)], target);
}

export const solve: Solution = async ({ urls }) => {
  await file(urls.mail!, "Customers");
};

// Archives it instead (the Archive button sits next to Move): it leaves the inbox, but not for Customers.
export const wrong: Solution = async ({ urls }) => {
  await file(urls.mail!, "Archive");
};
