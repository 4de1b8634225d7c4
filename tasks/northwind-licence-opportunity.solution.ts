import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "../simulators/mail/tasks/lib/roundcube.js";
import { decimal, Tryton } from "../simulators/crm/tasks/lib/tryton.js";

const SUBJECT = "Licence extension for 25 more drivers";

// Over Tryton's JSON-RPC as dana, what sao's opportunity form saves (the line's unit is the product's),
// then the "Opportunity" button; the reply from Roundcube's compose form.
async function record(urls: Record<string, string>, amount: number): Promise<void> {
  const crm = await Tryton.login(urls.crm!, "dana", "dana-password");
  const party = (await crm.one("party.party", [["name", "=", "Northwind Traders Ltd"]])).id;
  const contact = (await crm.one("party.contact_mechanism", [["value", "=", "oliver.grant@northwind.example"]])).id;
  const product = await crm.one("product.product", [["code", "=", "MOB-DRV"]], ["id", "default_uom"]);
  const employee = crm.context.employee as number;
  const deal = await crm.create("sale.opportunity", {
    description: "Northwind Leeds depot: 25 driver licences",
    party,
    contact,
    employee,
    start_date: { __class__: "date", year: 2026, month: 5, day: 1 },
    amount: decimal(amount),
    lines: [["create", [{ product: product.id, quantity: 25, unit: product.default_uom }]]],
  });
  await crm.button("sale.opportunity", "opportunity", [deal]);

  const mail = await Roundcube.login(urls.mail!, "dana");
  const reply = await mail.compose({ reply: await mail.uidOf("INBOX", SUBJECT), mbox: "INBOX" });
  await mail.send(
    reply.id,
    {
      to: reply.to,
      subject: reply.subject,
      body: `Hello Oliver,\n\nThanks: your quote for the 25 licences follows this week.\n\nDana\n\n${reply.body}`,
    },
    reply.from,
  );
}

export const solve: Solution = async ({ urls }) => {
  await record(urls, 25 * 12 * 12);
};

// Takes one month of the licences as the amount.
export const wrong: Solution = async ({ urls }) => {
  await record(urls, 25 * 12);
};
