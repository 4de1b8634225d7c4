import type { Solution } from "@terrarium/sdk";
import { editTicket, openTicket } from "./fossil-ui.js";

const REMARK = "Verified on trunk: the usage message lists tkv --version.";

// In the browser, logged in as admin: the ticket opened from the "All Tickets" report, Edit, status
// Closed (the resolution select already shows Fixed), the remark, Preview, Submit.
export const solve: Solution = async ({ pages, urls }) => {
  const page = (await pages()).forge!;
  await openTicket(page, urls.forge!, "Usage message does not mention --version");
  await editTicket(page, { selects: { status: "Closed" }, remark: REMARK });
};

// Closes every Fixed ticket with the same remark, not only the verified one.
export const wrong: Solution = async ({ pages, urls }) => {
  const page = (await pages()).forge!;
  for (const title of [
    "Usage message does not mention --version",
    "tkv_get(NULL) crashes",
    "Memory leak in tkv_delete of the head entry",
  ]) {
    await openTicket(page, urls.forge!, title);
    await editTicket(page, { selects: { status: "Closed" }, remark: REMARK });
  }
};
