import type { Solution } from "@terrarium/sdk";
import { WikiApi } from "./lib/wiki-api.js";

async function createRedirect(urls: Record<string, string>, target: string): Promise<void> {
  const api = new WikiApi(urls.wiki!);
  await api.login("admin", "terrarium-admin");
  const token = (await api.call({ action: "query", meta: "tokens" })).query.tokens.csrftoken;
  const answer = await api.call(
    {
      action: "edit",
      title: "Expense policy",
      text: `#REDIRECT [[${target}]]`,
      summary: "Redirect for a common search",
      createonly: "1",
      token,
    },
    true,
  );
  if (answer.edit?.result !== "Success") throw new Error(`edit failed: ${JSON.stringify(answer)}`);
}

export const solve: Solution = async ({ urls }) => {
  await createRedirect(urls, "Expense reports");
};

// Sends the searchers to the Travel policy instead, the other page about costs.
export const wrong: Solution = async ({ urls }) => {
  await createRedirect(urls, "Travel policy");
};
