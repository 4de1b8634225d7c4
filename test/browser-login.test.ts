import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, LoginError, type EnvState, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

/** Debian's Chromium, installed by `terrarium setup` (browser downloads do not work on such hosts). */
export const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(import.meta.dirname, "..", "test-results", "screenshots");

describe("session.login(browser): real Chromium through the environment proxy", () => {
  let t: TestServer;
  let session: Session;
  let browser: Browser;
  const stateOf = async (alias: string): Promise<EnvState> => session.getEnv(alias)!.getState();

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await startTestServer();
    [session, browser] = await Promise.all([
      t.client.sessions.create({
        envs: [
          Env.simulator("fossil", { alias: "forge" }),
          Env.simulator("redmine", { alias: "pm" }),
          Env.simulator("mediawiki", { alias: "wiki" }),
        ],
      }),
      chromium.launch({ executablePath: CHROMIUM }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await session?.close();
    await t?.stop();
  });

  it("logs in to every environment in one context, each page at its own public URL, cookies kept apart", async () => {
    const urls = await session.getPublicUrl();
    expect(Object.keys(urls).sort()).toEqual(["forge", "pm", "wiki"]);
    const { pages, context } = await session.login(browser);
    try {
      expect(Object.keys(pages).sort()).toEqual(["forge", "pm", "wiki"]);
      expect(await pages.forge!.locator(".mainmenu").innerText()).toContain("Logout");
      expect(await pages.forge!.locator("body").innerText()).toContain("admin");
      expect(await pages.pm!.locator("#loggedas").innerText()).toBe("Logged in as admin");
      expect(await pages.wiki!.locator("#pt-userpage").innerText()).toBe("Admin");
      for (const [alias, page] of Object.entries(pages)) {
        expect(new URL(page.url()).host).toBe(new URL(urls[alias]!).host);
        const file = join(SCREENSHOTS, `login-${alias}.png`);
        await page.screenshot({ path: file });
        expect(statSync(file).size).toBeGreaterThan(10_000);
      }

      // Each app's cookies stay on its own host: no cookie is shared by way of a parent domain.
      const hosts = Object.fromEntries(Object.entries(urls).map(([alias, url]) => [new URL(url).hostname, alias]));
      const cookies = await context.cookies();
      expect(cookies.every((c) => hosts[c.domain] !== undefined)).toBe(true);
      const names = (alias: string) =>
        cookies.filter((c) => hosts[c.domain] === alias).map((c) => c.name.replace(/-[0-9a-f]+$/, ""));
      expect(names("forge")).toEqual(["fossil"]);
      expect(names("pm")).toEqual(["Redmine"]);
      expect(names("wiki")).toEqual(expect.arrayContaining(["wikidb_session", "wikidbUserName"]));
    } finally {
      await context.close();
    }
  });

  it("acts through each app's UI once logged in, and getState shows what the UI did", async () => {
    const { pages, context } = await session.login(browser);
    try {
      await Promise.all([
        fileTicket(pages.forge!, "Browser-filed: compaction stalls"),
        fileIssue(pages.pm!, "Browser-filed: ETA drifts after reroute"),
        writePage(pages.wiki!, "Browser notes", "Written from '''Chromium'''."),
      ]);
    } finally {
      await context.close();
    }
    const forge = (await stateOf("forge")).dbs[0]!.changes;
    expect(forge.find((c) => c.table === "ticket" && c.op === "insert")?.after).toMatchObject({
      title: "Browser-filed: compaction stalls",
    });
    const pm = (await stateOf("pm")).dbs[0]!.changes;
    expect(pm.find((c) => c.table === "public.issues" && c.op === "insert")?.after).toMatchObject({
      subject: "Browser-filed: ETA drifts after reroute",
      author_id: 1,
    });
    const wiki = (await stateOf("wiki")).dbs[0]!.changes;
    expect(wiki.find((c) => c.table === "wikidb.page" && c.op === "insert")?.after).toMatchObject({
      page_title: "Browser_notes",
    });
  });

  it("names the environment, the step and the page when a login fails, with a screenshot", async () => {
    // The admin's password changes behind the simulator's back: its declared login can no longer work.
    const forge = session.getEnv("forge")!;
    const changed = await forge.execute("fossil user password admin not-the-documented-one -R /data/project.fossil");
    expect(changed.exitCode, changed.stderr).toBe(0);
    const failure = await session
      .login(browser, { aliases: ["forge"], stepTimeout: 5000, screenshotDir: SCREENSHOTS })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(LoginError);
    const error = failure as LoginError;
    expect(error.alias).toBe("forge");
    expect(error.step.description).toBe("wait for URL **/home");
    expect(error.message).toContain('login to "forge" failed at step 5 (wait for URL **/home)');
    expect(error.page.url).toContain("/login");
    expect(error.screenshot && existsSync(error.screenshot)).toBe(true);
    expect(error.message).not.toContain("terrarium-admin");
  });
});

async function fileTicket(page: Page, title: string): Promise<void> {
  await page.goto(new URL("/tktnew", page.url()).toString());
  await page.fill("input[name=title]", title);
  await page.fill("textarea[name=icomment]", "Seen on a 2 GiB log after a crash.");
  await page.click("input[name=preview]"); // Fossil offers Submit once the ticket was previewed
  await page.click("input[name=submit]");
  await page.waitForURL(/\/tktview/);
}

async function fileIssue(page: Page, subject: string): Promise<void> {
  await page.goto(new URL("/projects/dispatch/issues/new", page.url()).toString());
  await page.fill("#issue_subject", subject);
  await page.click("input[name=commit]");
  await page.waitForURL(/\/issues\/\d+$/);
  expect(await page.locator("#flash_notice").innerText()).toMatch(/^Issue #\d+ created\.$/);
}

async function writePage(page: Page, title: string, text: string): Promise<void> {
  await page.goto(new URL(`/index.php?title=${encodeURIComponent(title)}&action=edit`, page.url()).toString());
  await page.fill("#wpTextbox1", text);
  await page.click("#wpSave");
  await page.waitForURL(/\/index\.php\/Browser_notes$/);
}
