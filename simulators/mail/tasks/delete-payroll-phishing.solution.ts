import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Urgent: verify your payroll details before Friday";

export const solve: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "alice");
  await rc.delete("INBOX", [await rc.uidOf("INBOX", SUBJECT)]);
};

// Deletes it for good (Shift+Delete): the evidence IT wanted is gone.
export const wrong: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "alice");
  await rc.expunge("INBOX", [await rc.uidOf("INBOX", SUBJECT)]);
};
