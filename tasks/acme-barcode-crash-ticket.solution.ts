import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "../simulators/mail/tasks/lib/roundcube.js";
import { Rt } from "../simulators/helpdesk/tasks/lib/rt-api.js";

const SUBJECT = "Driver app crashes when scanning barcodes";

// As carol: the ticket over RT's REST 2 API (the email's text as its first message), then the reply
// from Roundcube's compose form, quoting the ticket number.
async function openAndReply(urls: Record<string, string>, requestor: string | undefined): Promise<void> {
  const mail = await Roundcube.login(urls.mail!, "carol");
  const uid = await mail.uidOf("INBOX", SUBJECT);
  const ticket = await new Rt(urls.desk!, "carol").post<{ id: number }>("/ticket", {
    Queue: "Support",
    Subject: SUBJECT,
    ...(requestor ? { Requestor: requestor } : {}),
    Owner: "carol",
    Content: "Kestrel Mobile 1.9.2 on Android 14 crashes when drivers scan a parcel barcode; 12 drivers affected.",
    ContentType: "text/plain",
    CustomFields: { Product: "Kestrel Mobile", Severity: "High" },
  });
  const reply = await mail.compose({ reply: uid, mbox: "INBOX" });
  await mail.send(
    reply.id,
    {
      to: reply.to,
      subject: reply.subject,
      body: `Hello Priya,\n\nWe are tracking this as ticket #${ticket.id} and will update you there.\n\nCarol\n\n${reply.body}`,
    },
    reply.from,
  );
}

export const solve: Solution = async ({ urls }) => {
  await openAndReply(urls, "priya.shah@acme-logistics.example");
};

// Opens the ticket without naming a requestor: RT makes carol, who created it, the requestor.
export const wrong: Solution = async ({ urls }) => {
  await openAndReply(urls, undefined);
};
