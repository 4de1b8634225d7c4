import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

/** The escalation steps as the page lists them: "# Primary on-call (5 minutes to acknowledge)". */
function steps(text: string): { role: string; minutes: string }[] {
  const section = /==\s*Escalation\s*==\n([\s\S]*?)\n(?:==|$)/.exec(text)?.[1];
  if (!section) throw new Error("no Escalation section");
  return section
    .split("\n")
    .filter((line) => line.startsWith("#"))
    .map((line) => {
      const m = /^#\s*(.*?)\s*(?:\((\d+) minutes?[^)]*\))?\s*$/.exec(line)!;
      return { role: m[1]!, minutes: m[2] ?? "" };
    });
}

async function publish(urls: Record<string, string>, keep: (step: { minutes: string }) => boolean): Promise<void> {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  const page = await api.text("On-call rotation");
  const rows = steps(page)
    .filter(keep)
    .map((s, i) => `${i + 1},${s.role},${s.minutes}`);
  const csv = ["step,role,minutes_to_acknowledge", ...rows].join("\n") + "\n";

  // action=upload takes the file as multipart form data.
  const token = (await api.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
  const form = new FormData();
  const fields = {
    action: "upload",
    format: "json",
    filename: "Oncall-escalation.csv",
    comment: "On-call escalation path as CSV",
    text: "The escalation path of the [[On-call rotation]], as a spreadsheet.\n\n[[Category:Operations]]",
    token,
  };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([csv], { type: "text/csv" }), "Oncall-escalation.csv");
  const response = await fetch(`${urls.wiki}/api.php`, {
    method: "POST",
    body: form,
    headers: { cookie: [...api.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
  });
  const answer = (await response.json()) as { upload?: { result?: string } };
  if (answer.upload?.result !== "Success") throw new Error(`upload failed: ${JSON.stringify(answer)}`);

  const last = "# Engineering manager\n";
  if (!page.includes(last)) throw new Error("the escalation list does not end as expected");
  await api.edit(
    "On-call rotation",
    page.replace(
      last,
      `${last}The same path as a spreadsheet: [[Media:Oncall-escalation.csv|Oncall-escalation.csv]].\n`,
    ),
    "Link the escalation path CSV",
  );
}

export const solve: Solution = async ({ urls }) => {
  await publish(urls, () => true);
};

// Leaves out the engineering manager, the step without a time to acknowledge.
export const wrong: Solution = async ({ urls }) => {
  await publish(urls, (step) => step.minutes !== "");
};
