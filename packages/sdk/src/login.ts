import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoginFlow, LoginPlanResponse, LoginStep } from "@terrarium/wire";
// Types only: playwright-core is an optional peer dependency, needed by `login` alone.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { TerrariumError } from "./errors.js";

export interface LoginOptions {
  /** Milliseconds each step may take; default 20,000. */
  stepTimeout?: number;
  /** Where a failed login leaves its screenshot; default the system's temporary folder. */
  screenshotDir?: string;
  /** Only these aliases; default every environment whose simulator declares a login. */
  aliases?: string[];
}

export interface LoginResult {
  /** One logged-in page per environment, by alias. */
  pages: Record<string, Page>;
  /** The one browser context holding every page; close it when done. */
  context: BrowserContext;
}

/**
 * A login step failed: names the environment, the step and what the page showed, and where its
 * screenshot is.
 */
export class LoginError extends TerrariumError {
  constructor(
    readonly alias: string,
    /** Index of the failed step (0: opening the public URL, 1: the first declared step), as declared. */
    readonly step: { index: number; description: string },
    /** The page's URL and the start of its visible text when the step failed. */
    readonly page: { url: string; text: string },
    readonly screenshot: string | undefined,
    cause: unknown,
  ) {
    super(
      `login to "${alias}" failed at step ${step.index} (${step.description}): ${
        cause instanceof Error ? cause.message.split("\n")[0] : String(cause)
      }; the page was ${page.url} showing "${page.text}"${screenshot ? `; screenshot: ${screenshot}` : ""}`,
      { cause },
    );
  }
}

const DEFAULT_STEP_TIMEOUT = 20_000;

/** @internal Opens one context, one page per environment, and runs each simulator's login steps in it. */
export async function logIn(
  browser: Browser,
  plans: LoginPlanResponse["results"],
  options: LoginOptions = {},
): Promise<LoginResult> {
  const wanted = Object.values(plans).filter((plan) =>
    options.aliases ? options.aliases.includes(plan.alias) : plan.flow !== null,
  );
  for (const plan of wanted)
    if (!plan.flow)
      throw new TerrariumError(`"${plan.alias}" (${plan.simulator ?? "artifact"}) declares no browser login`);
  const context = await browser.newContext();
  try {
    const pages: Record<string, Page> = {};
    await Promise.all(
      wanted.map(async (plan) => {
        const page = await context.newPage();
        page.setDefaultTimeout(options.stepTimeout ?? DEFAULT_STEP_TIMEOUT);
        pages[plan.alias] = page;
        await runFlow(page, plan.alias, plan.url, plan.flow!, options);
      }),
    );
    return { pages, context };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}

async function runFlow(page: Page, alias: string, base: string, flow: LoginFlow, options: LoginOptions) {
  const fill = (text: string) => text.replaceAll("{username}", flow.username).replaceAll("{password}", flow.password);
  // The public URL first (step 0): off loopback it carries the access token the proxy trades for a cookie.
  const steps: { description: string; run: () => Promise<unknown> }[] = [
    { description: `open ${base.split("?")[0]}`, run: () => page.goto(base) },
    ...flow.steps.map((step) => ({ description: describe(step, flow), run: () => runStep(page, base, step, fill) })),
  ];
  for (const [i, step] of steps.entries()) {
    try {
      await step.run();
    } catch (error) {
      const text = await page
        .locator("body")
        .innerText({ timeout: 2000 })
        .catch(() => "");
      let screenshot: string | undefined = join(
        options.screenshotDir ?? join(tmpdir(), "terrarium-login"),
        `${alias}-step-${i}-${Date.now()}.png`,
      );
      try {
        mkdirSync(join(screenshot, ".."), { recursive: true });
        await page.screenshot({ path: screenshot, fullPage: true, timeout: 5000 });
      } catch {
        screenshot = undefined;
      }
      throw new LoginError(
        alias,
        { index: i, description: step.description },
        { url: page.url(), text: text.replace(/\s+/g, " ").trim().slice(0, 200) },
        screenshot,
        error,
      );
    }
  }
}

async function runStep(page: Page, base: string, step: LoginStep, fill: (s: string) => string): Promise<void> {
  if ("goto" in step) {
    await page.goto(new URL(step.goto, base).toString());
  } else if ("fill" in step) {
    await page.locator(step.fill.selector).first().fill(fill(step.fill.value));
  } else if ("click" in step) {
    await page.locator(step.click).first().click();
  } else if ("wait_for" in step) {
    if (step.wait_for.url) await page.waitForURL(fill(step.wait_for.url));
    else await page.locator(step.wait_for.selector!).first().waitFor();
  } else {
    const text = fill(step.verify.text);
    await page.locator(step.verify.selector).filter({ hasText: text }).first().waitFor();
  }
}

/** The step as declared, with the password masked. */
function describe(step: LoginStep, flow: LoginFlow): string {
  if ("goto" in step) return `goto ${step.goto}`;
  if ("fill" in step) {
    const value = step.fill.value.includes("{password}") ? "(password)" : step.fill.value;
    return `fill ${step.fill.selector} with ${value.replaceAll("{username}", flow.username)}`;
  }
  if ("click" in step) return `click ${step.click}`;
  if ("wait_for" in step)
    return step.wait_for.url ? `wait for URL ${step.wait_for.url}` : `wait for ${step.wait_for.selector}`;
  return `verify "${step.verify.text.replaceAll("{username}", flow.username)}" in ${step.verify.selector}`;
}
