import type { Solution } from "@terrarium/sdk";

interface Revision {
  revid: number;
  user: string;
  comment: string;
  slots: { main: { content: string } };
}

/** The revisions of Dispatch, oldest first, with their author, summary and wikitext (anonymous reads). */
async function history(base: string): Promise<Revision[]> {
  const params = new URLSearchParams({
    action: "query",
    format: "json",
    formatversion: "2",
    prop: "revisions",
    titles: "Dispatch",
    rvprop: "ids|user|comment|content",
    rvslots: "main",
    rvlimit: "50",
    rvdir: "newer",
  });
  const answer = (await (await fetch(`${base}/api.php?${params}`)).json()) as {
    query: { pages: { revisions: Revision[] }[] };
  };
  return answer.query.pages[0]!.revisions;
}

export const solve: Solution = async ({ urls }) => {
  const revisions = await history(urls.wiki!);
  const i = revisions.findIndex((r) => /\|\s*datastore\s*=\s*PostgreSQL/.test(r.slots.main.content));
  if (i <= 0 || !/datastore\s*=\s*MySQL/.test(revisions[i - 1]!.slots.main.content))
    throw new Error("no revision switches the datastore from MySQL to PostgreSQL");
  const change = revisions[i]!;
  return { answer: `${change.user} changed it (revision ${change.revid}), with the summary "${change.comment}".` };
};

// Takes the page's creator (and first summary) for the author of the change.
export const wrong: Solution = async ({ urls }) => {
  const first = (await history(urls.wiki!))[0]!;
  return { answer: `${first.user} changed it, with the summary "${first.comment}".` };
};
