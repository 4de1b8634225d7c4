import type { Solution } from "@terrarium/sdk";
import { FossilSite } from "./fossil-site.js";

const CODING_STYLE = `# Coding Style

* C99.
* Two spaces of indentation, no tabs.
* Braces on the same line as the statement they open.
`;
const POINT_3 = "3. C99, four-space-free style: two spaces, braces on the same line.";
const LINK = "3. Follow the [Coding Style](/wiki?name=Coding+Style).";

// Over HTTP, as the wiki editor does (wikiajax/save): the new page, then the page that links to it.
async function moveStyle(base: string, linkFrom: string): Promise<void> {
  const site = await FossilSite.login(base);
  await site.saveWiki("Coding Style", CODING_STYLE, true);
  const text = await site.wikiText(linkFrom);
  if (linkFrom === "Contributing") {
    if (!text.includes(POINT_3)) throw new Error("point 3 of Contributing is not where expected");
    await site.saveWiki("Contributing", text.replace(POINT_3, LINK), false);
  } else {
    await site.saveWiki(linkFrom, `${text.trimEnd()}\n* [Coding Style](/wiki?name=Coding+Style)\n`, false);
  }
}

export const solve: Solution = async ({ urls }) => {
  await moveStyle(urls.forge!, "Contributing");
};

// Links the new page from the home page (TinyKV) and leaves Contributing as it was.
export const wrong: Solution = async ({ urls }) => {
  await moveStyle(urls.forge!, "TinyKV");
};
