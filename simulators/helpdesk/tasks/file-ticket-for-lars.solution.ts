import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

const SUBJECT = "Route PDF no longer shows stop notes";
const TEXT =
  "Lars Haugen (Fjord Couriers) phoned: since yesterday the route PDF the drivers print no longer shows " +
  "the stop notes.";

// Over REST 2 as erik: one POST /ticket with the requestor, owner and custom fields.
async function file(base: string, requestor: string | undefined): Promise<void> {
  const rt = new Rt(base, "erik");
  await rt.post("/ticket", {
    Queue: "Support",
    Subject: SUBJECT,
    ...(requestor ? { Requestor: requestor } : {}),
    Owner: "erik",
    Content: TEXT,
    ContentType: "text/plain",
    CustomFields: { Product: "Dispatch", Severity: "Normal" },
  });
}

export const solve: Solution = async ({ urls }) => {
  await file(urls.hd!, "lars.haugen@fjordcouriers.example");
};

// Leaves out the requestor: RT makes the staff member who filed it the requestor, and Lars hears nothing.
export const wrong: Solution = async ({ urls }) => {
  await file(urls.hd!, undefined);
};
