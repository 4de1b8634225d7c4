import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Driver app crashes when scanning barcodes";
const SUPPORT_IDENTITY = 4; // carol's "Kestrel Support" identity (README)
const BODY = `Hello Priya,

Thank you for the crash log. This is a known bug in the barcode scanning library on Android 14;
the fix ships in Kestrel Mobile 1.9.3. Until then, drivers can type the parcel number by hand in
the scan screen.

Kestrel Systems Support`;

export const solve: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "carol");
  const form = await rc.compose({ reply: await rc.uidOf("INBOX", SUBJECT), mbox: "INBOX" });
  await rc.send(
    form.id,
    { to: form.to, subject: form.subject, body: `${BODY}\n\n${form.body}`, from: SUPPORT_IDENTITY },
    form.from,
  );
};

// Writes a new message to Priya from carol's own address: not in her thread, not from support@.
export const wrong: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "carol");
  await rc.sendNew({ to: "Priya Shah <priya.shah@acme-logistics.example>", subject: `Re: ${SUBJECT}`, body: BODY });
};
