import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

// The INBOX messages to support@: Roundcube's list shows only the sender, so an agent opens each one's
// headers; here they are the subjects it finds (the Cc'd answer included).
const TO_SUPPORT = [
  "Route optimiser ignores our weight limits",
  "New invoice address",
  "Portal login loop after password reset",
  "Re: Portal login loop after password reset",
  "Drivers see yesterday's routes in the app",
  "Export of delivery reports to CSV",
];

async function file(base: string, subjects: string[]): Promise<void> {
  const rc = await Roundcube.login(base, "erik");
  await rc.createFolder("Support");
  const rows = await rc.list("INBOX");
  const uids = rows.filter((r) => subjects.includes(r.subject)).map((r) => r.uid);
  if (uids.length !== subjects.length) throw new Error(`found ${uids.length} of ${subjects.length} messages`);
  await rc.move("INBOX", uids, "Support");
}

export const solve: Solution = async ({ urls }) => {
  await file(urls.mail!, TO_SUPPORT);
};

// Goes by the To line only: carol's answer, which has support@ in Cc, stays in the inbox.
export const wrong: Solution = async ({ urls }) => {
  await file(
    urls.mail!,
    TO_SUPPORT.filter((s) => !s.startsWith("Re: ")),
  );
};
