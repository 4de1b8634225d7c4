import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

const EMAIL = "sara.lindgren@nordicroute.example";

// Over JSON-RPC as dana: the company with its address and phone in one create, then Sara with her
// email, then the "Employee of" relation (created through party.relation.all, as sao's party form does).
async function prospect(base: string, emailOnCompany: boolean): Promise<void> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const sweden = await crm.one("country.country", [["code", "=", "SE"]]);
  const mechanisms: Record<string, string>[] = [{ type: "phone", value: "+46 8 555 440 00" }];
  if (emailOnCompany) mechanisms.push({ type: "email", value: EMAIL });
  const company = await crm.create("party.party", {
    name: "Nordic Route AB",
    addresses: [["create", [{ street: "Sveavägen 44", postal_code: "111 34", city: "Stockholm", country: sweden.id }]]],
    contact_mechanisms: [["create", mechanisms]],
  });
  if (emailOnCompany) return;
  const sara = await crm.create("party.party", {
    name: "Sara Lindgren",
    contact_mechanisms: [["create", [{ type: "email", value: EMAIL }]]],
  });
  const employeeOf = await crm.one("party.relation.type", [["name", "=", "Employee of"]]);
  await crm.create("party.relation.all", { from_: sara, to: company, type: employeeOf.id });
}

export const solve: Solution = async ({ urls }) => {
  await prospect(urls.crm!, false);
};

// Puts Sara's email on the company and never creates her as a contact.
export const wrong: Solution = async ({ urls }) => {
  await prospect(urls.crm!, true);
};
