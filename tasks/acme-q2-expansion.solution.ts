import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "../simulators/mail/tasks/lib/roundcube.js";
import { Rt } from "../simulators/helpdesk/tasks/lib/rt-api.js";
import { Tryton } from "../simulators/crm/tasks/lib/tryton.js";

const SUBJECT = "Acme fleet expansion: 40 more vehicles in Q2";

interface PlanRow {
  month: string;
  depot: string;
  new_vehicles: number;
  new_drivers: number;
}

/** The attached plan (month,depot,new_vehicles,new_drivers) read into rows. */
function parsePlan(csv: string): PlanRow[] {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  const names = header!.split(",");
  return lines.map((line) => {
    const cells = Object.fromEntries(line.split(",").map((v, i) => [names[i]!, v]));
    return {
      month: cells.month!,
      depot: cells.depot!,
      new_vehicles: Number(cells.new_vehicles),
      new_drivers: Number(cells.new_drivers),
    };
  });
}

// Dana reads the plan from the email's attachment (Roundcube's download), replaces the opportunity's line
// with one per product over Tryton's JSON-RPC, opens the ticket over RT's REST 2 API, and replies.
async function plan(urls: Record<string, string>, drivers: (rows: PlanRow[]) => number): Promise<void> {
  const mail = await Roundcube.login(urls.mail!, "dana");
  const uid = await mail.uidOf("INBOX", SUBJECT);
  const rows = parsePlan(new TextDecoder().decode(await mail.attachment("INBOX", uid, "acme-fleet-plan-q2.csv")));
  const vehicles = rows.reduce((n, r) => n + r.new_vehicles, 0);

  const crm = await Tryton.login(urls.crm!, "dana", "dana-password");
  const opportunity = await crm.one("sale.opportunity", [["description", "=", "Acme fleet expansion"]], ["lines"]);
  const line = async (code: string, quantity: number) => {
    const product = await crm.one("product.product", [["code", "=", code]], ["default_uom"]);
    return { product: product.id, quantity, unit: product.default_uom };
  };
  await crm.write("sale.opportunity", [opportunity.id], {
    lines: [
      ["delete", opportunity.lines],
      ["create", [await line("DSP-PRO", vehicles), await line("MOB-DRV", drivers(rows))]],
    ],
  });

  const ticket = await new Rt(urls.desk!, "dana").post<{ id: number }>("/ticket", {
    Queue: "Onboarding",
    Subject: "Acme Q2 rollout: onboarding for three depots",
    Requestor: "priya.shah@acme-logistics.example",
    Content: [
      "Acme Logistics adds vehicles and drivers in Q2; onboarding per depot:",
      ...rows.map((r) => `- ${r.month}: ${r.depot} (${r.new_vehicles} vehicles, ${r.new_drivers} drivers)`),
    ].join("\n"),
    ContentType: "text/plain",
  });

  const reply = await mail.compose({ reply: uid, mbox: "INBOX" });
  await mail.send(
    reply.id,
    {
      to: reply.to,
      subject: reply.subject,
      body: `Hello Priya,\n\nThe offer is in progress; we plan the onboarding of the three depots in ticket #${ticket.id}.\n\nDana\n\n${reply.body}`,
    },
    reply.from,
  );
}

export const solve: Solution = async ({ urls }) => {
  await plan(urls, (rows) => rows.reduce((n, r) => n + r.new_drivers, 0));
};

// Counts a driver licence per new vehicle instead of per new driver.
export const wrong: Solution = async ({ urls }) => {
  await plan(urls, (rows) => rows.reduce((n, r) => n + r.new_vehicles, 0));
};
