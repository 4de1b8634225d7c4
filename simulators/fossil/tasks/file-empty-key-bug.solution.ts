import type { Solution } from "@terrarium/sdk";
import { FossilSite } from "./fossil-site.js";

const DESCRIPTION = [
  'Running `tkv db.tkv put "" x` exits with status 0 and appends a record with an empty key to the log.',
  "",
  "Expected: tkv prints the usage message and exits with status 2.",
].join("\n");

// Over HTTP, as a browser would: the /tktnew form with its CSRF token, Preview, then Submit.
export const solve: Solution = async ({ urls }) => {
  const site = await FossilSite.login(urls.forge!);
  await site.newTicket({
    title: "tkv put accepts an empty key",
    type: "Code_Defect",
    severity: "Important",
    foundin: "0.1.0",
    icomment: DESCRIPTION,
  });
};

// Leaves the severity at the form's default (Critical, the first option) instead of Important.
export const wrong: Solution = async ({ urls }) => {
  const site = await FossilSite.login(urls.forge!);
  await site.newTicket({
    title: "tkv put accepts an empty key",
    type: "Code_Defect",
    foundin: "0.1.0",
    icomment: DESCRIPTION,
  });
};
