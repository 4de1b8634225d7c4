import type { Solution } from "@terrarium/sdk";

// Through Redmine's UI, as the admin the browser is logged in as: the project's News tab, "Add news".
async function post(context: Parameters<Solution>[0], projectName: string): Promise<void> {
  const page = (await context.pages()).pm!;
  await page.goto(`${context.urls.pm}/projects`);
  await page.locator("#projects-index").getByRole("link", { name: projectName, exact: true }).click();
  await page.locator("#main-menu a.news").click();
  await page.locator("#content .contextual a.icon-add").click();
  await page.locator("#news_title").fill("Kestrel Mobile 1.9 pilot starts on Monday");
  await page.locator("#news_summary").fill("The offline sync rewrite goes to the Porto pilot drivers.");
  await page
    .locator("#news_description")
    .fill(
      "From Monday, the 25 Porto pilot drivers get Kestrel Mobile 1.9 through TestFlight and the Play Store beta track. " +
        "Please report sync problems in this project with the Sync category.",
    );
  await page.locator("#add-news input[name=commit]").click();
  await page.locator("#flash_notice").waitFor();
}

export const solve: Solution = async (context) => {
  await post(context, "Kestrel Mobile");
};

// Posts the announcement on the Dispatch project, the first one in the list, instead of Kestrel Mobile.
export const wrong: Solution = async (context) => {
  await post(context, "Dispatch");
};
