import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Driver app crashes when scanning barcodes";
const NOTE = "Bob, does this match the zxing advisory you got on Tuesday? The crash log is attached.";

// Forward (inline): Roundcube's compose form copies the original's attachments into the forward.
export const solve: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "carol");
  const form = await rc.compose({ forward: await rc.uidOf("INBOX", SUBJECT), mbox: "INBOX" });
  await rc.send(
    form.id,
    { to: "Bob Okafor <bob@kestrel.example>", subject: form.subject, body: `${NOTE}\n\n${form.body}` },
    form.from,
  );
};

// Pastes the report into a new message to Bob: the crash log stays behind.
export const wrong: Solution = async ({ urls }) => {
  const rc = await Roundcube.login(urls.mail!, "carol");
  await rc.sendNew({
    to: "bob@kestrel.example",
    subject: `Fwd: ${SUBJECT}`,
    body: `${NOTE}\n\nPriya wrote: Kestrel Mobile 1.9.2 on Android 14 crashes when drivers scan a parcel barcode.`,
  });
};
