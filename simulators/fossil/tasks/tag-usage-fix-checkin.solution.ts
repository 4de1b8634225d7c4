import type { Solution } from "@terrarium/sdk";
import { formFields, FossilSite } from "./fossil-site.js";

// Over HTTP: the ticket's page names the fixing check-in by its comment; the check-in timeline gives
// its hash; its edit form (/ci_edit) gets "Add the following new tag name" ticked with the tag,
// previewed, then applied.
async function findCheckin(site: FossilSite, comment: string): Promise<string> {
  const timeline = await site.get("/timeline?y=ci&n=200");
  const escaped = comment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const hash = new RegExp(
    `timelineModernComment'>\\s*${escaped}\\s*</span>\\s*<span class='timelineModernDetail'>check-in:&nbsp;<a href="/info/([0-9a-f]+)"`,
  ).exec(timeline)?.[1];
  if (!hash) throw new Error(`no check-in "${comment}" on the timeline`);
  return hash;
}

async function tagCheckin(site: FossilSite, hash: string, tag: string): Promise<void> {
  const fields = { ...formFields(await site.form(`/ci_edit?r=${hash}`, "/ci_edit")), newtag: "on", tagname: tag };
  const preview = await site.post("/ci_edit", { ...fields, preview: "Preview" }, `/ci_edit?r=${hash}`);
  if (!/name="apply"/.test(await preview.text())) throw new Error("previewing the check-in edit failed");
  const response = await site.post("/ci_edit", { ...fields, apply: "Apply Changes" }, "/ci_edit");
  if (response.status !== 302) throw new Error(`applying the check-in edit failed (${response.status})`);
}

export const solve: Solution = async ({ urls }) => {
  const site = await FossilSite.login(urls.forge!);
  const ticket = await site.get(`/tktview/${await site.ticketId("Usage message does not mention --version")}`);
  const comment = /Fixed in the check-in '([^']+)'/.exec(ticket)?.[1];
  if (!comment) throw new Error("the ticket names no check-in");
  await tagCheckin(site, await findCheckin(site, comment), "usage-fix");
};

// Tags the check-in that added --version ("tkv --version"), not the one that fixed the usage message.
export const wrong: Solution = async ({ urls }) => {
  const site = await FossilSite.login(urls.forge!);
  await tagCheckin(site, await findCheckin(site, "tkv --version"), "usage-fix");
};
