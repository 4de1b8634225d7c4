import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Licence extension for 25 more drivers";

export const solve: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "dana");
  await rc.mark("INBOX", [await rc.uidOf("INBOX", SUBJECT)], "flagged");
};

// Opens the message to read it first (Roundcube marks it read), then flags it.
export const wrong: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "dana");
  const uid = await rc.uidOf("INBOX", SUBJECT);
  await rc.mark("INBOX", [uid], "read");
  await rc.mark("INBOX", [uid], "flagged");
};
