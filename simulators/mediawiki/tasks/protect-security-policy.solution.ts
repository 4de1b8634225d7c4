import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

async function protect(urls: Record<string, string>, titles: string[]): Promise<void> {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  for (const title of titles) {
    const token = (await api.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
    await api.call(
      {
        action: "protect",
        title,
        protections: "edit=sysop|move=sysop",
        expiry: "infinite|infinite",
        reason: "Policy pages are maintained by IT",
        token,
      },
      true,
    );
  }
}

export const solve: Solution = async ({ urls }) => {
  await protect(urls, ["Security policy"]);
};

// Also locks the page the Security policy links to, which nobody asked for.
export const wrong: Solution = async ({ urls }) => {
  await protect(urls, ["Security policy", "Password and access management"]);
};
