import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Licence extension for 25 more drivers";
const QUOTE = "code,description,quantity,unit_price_eur,start\nMOB-DRV,Mobile driver licence,25,12,2026-05-01\n";
const BODY = `Hello Oliver,

Please find attached our quote for 25 additional Kestrel Mobile driver licences (MOB-DRV) from
1 May, at 12 EUR per licence and month, on the terms of your current contract.

Kind regards,
Dana`;

async function reply(base: string, attach: boolean): Promise<void> {
  const rc = await Roundcube.login(base, "dana");
  const form = await rc.compose({ reply: await rc.uidOf("INBOX", SUBJECT), mbox: "INBOX" });
  await rc.send(
    form.id,
    {
      to: form.to,
      cc: "sales@kestrel.example",
      subject: form.subject,
      body: `${BODY}\n\n${form.body}`,
      attachments: attach ? [{ name: "quote-northwind-mob-drv.csv", type: "text/csv", content: QUOTE }] : [],
    },
    form.from,
  );
}

export const solve: Solution = async ({ urls }) => {
  await reply(urls.mail!, true);
};

// The body says the quote is attached, but the file was never added.
export const wrong: Solution = async ({ urls }) => {
  await reply(urls.mail!, false);
};
