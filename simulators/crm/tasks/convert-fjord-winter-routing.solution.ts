import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

// Over JSON-RPC as erik (the deal's owner): the opportunity's "Convert" button makes the draft sale,
// whose "Quote" button then makes it a quotation.
export const solve: Solution = async ({ urls }) => {
  const crm = await Tryton.login(urls.crm!, "erik", "erik-password");
  const deal = await crm.one("sale.opportunity", [["description", "=", "Fjord Couriers winter routing"]]);
  await crm.button("sale.opportunity", "convert", [deal.id]);
  const [converted] = await crm.read("sale.opportunity", [deal.id], ["sales"]);
  await crm.button("sale.sale", "quote", converted!.sales as number[]);
};

// Types a new quotation by hand with the same line: the opportunity stays open and unlinked.
export const wrong: Solution = async ({ urls }) => {
  const crm = await Tryton.login(urls.crm!, "erik", "erik-password");
  const fjord = await crm.one("party.party", [["name", "=", "Fjord Couriers AS"]], ["addresses"]);
  const standard = await crm.one("product.product", [["code", "=", "DSP-STD"]], ["default_uom"]);
  const sale = await crm.create("sale.sale", {
    party: fjord.id,
    invoice_address: fjord.addresses[0],
    shipment_address: fjord.addresses[0],
    company: crm.context.company,
    currency: 1,
    description: "Fjord Couriers winter routing",
    lines: [
      [
        "create",
        [
          {
            type: "line",
            product: standard.id,
            quantity: 27,
            unit: standard.default_uom,
            unit_price: { __class__: "Decimal", decimal: "30" },
            description: "Dispatch Standard licence",
          },
        ],
      ],
    ],
  });
  await crm.button("sale.sale", "quote", [sale]);
};
