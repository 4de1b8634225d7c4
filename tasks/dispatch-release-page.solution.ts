import type { Solution } from "@terrarium/sdk";
import { createWikiPage, redmine } from "./lib/apps.js";

/** The subjects of Dispatch 2.4's issues, read over Redmine's REST API; `all` includes closed ones. */
async function subjectsOf(base: string, all: boolean): Promise<string[]> {
  const { versions } = await redmine(base, "GET", "/projects/dispatch/versions.json");
  const version = (versions as { id: number; name: string }[]).find((v) => v.name === "2.4")!;
  const { issues } = await redmine(
    base,
    "GET",
    `/issues.json?project_id=dispatch&fixed_version_id=${version.id}&status_id=${all ? "*" : "open"}&limit=100`,
  );
  return (issues as { subject: string }[]).map((i) => i.subject);
}

export const solve: Solution = async ({ urls }) => {
  const subjects = await subjectsOf(urls.pm!, false);
  await createWikiPage(urls.wiki!, "Dispatch 2.4 open issues", subjects.map((s) => `* ${s}`).join("\n"), "2.4 status");
};

/** The plausible mistake: every issue of the version, the closed one too. */
export const wrong: Solution = async ({ urls }) => {
  const subjects = await subjectsOf(urls.pm!, true);
  await createWikiPage(urls.wiki!, "Dispatch 2.4 open issues", subjects.map((s) => `* ${s}`).join("\n"), "2.4 status");
};
