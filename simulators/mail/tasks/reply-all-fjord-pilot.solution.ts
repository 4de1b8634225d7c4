import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "./lib/roundcube.js";

const SUBJECT = "Fjord Couriers pilot feedback";
const BODY = `Hi Lars,

Thank you for the feedback and the numbers, great to see the on-time rate at 96%. The Norwegian
translation of the driver app is planned for Kestrel Mobile 2.0. Erik will follow up on bike routes
that avoid tram lines before your board meeting on 20 March.

Best regards,
Dana`;

// Reply all: Roundcube's compose form puts Lars in To and Erik (from the original's Cc) in Cc.
async function reply(base: string, all: boolean): Promise<void> {
  const rc = await Roundcube.login(base, "dana");
  const form = await rc.compose({ reply: await rc.uidOf("Customers", SUBJECT), all, mbox: "Customers" });
  await rc.send(
    form.id,
    { to: form.to, cc: form.cc, subject: form.subject, body: `${BODY}\n\n${form.body}` },
    form.from,
  );
}

export const solve: Solution = async ({ urls }) => {
  await reply(urls.mail!, true);
};

// A plain reply: only Lars gets it, Erik is left out.
export const wrong: Solution = async ({ urls }) => {
  await reply(urls.mail!, false);
};
