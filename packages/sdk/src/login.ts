import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LoginFlow, LoginPlan, LoginPlanResponse, LoginStep } from "@terrarium/wire";
// Types only: playwright-core is an optional peer dependency, needed by `login` alone.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { TerrariumError } from "./errors.js";

export interface LoginOptions {
  /** The simulator's login flow to run; default `login`, the one browser login a simulator declares. */
  flow?: string;
  /** Only this environment; default every environment whose simulator declares a login. */
  envAlias?: string;
  /** Open the pages in this context (it stays open on failure); default a new context of the browser. */
  context?: BrowserContext;
  /** Tries after a failed one, each on a new page; default 2. */
  retries?: number;
  /** Milliseconds between tries; default 1000. */
  retryDelayMs?: number;
  /** Where each failed try leaves its screenshot; default `terrarium-login` in the system's temporary folder. */
  screenshotsDir?: string;
  /** Milliseconds each step may take; default 20,000. */
  stepTimeout?: number;
  /** @deprecated the same as `screenshotsDir`. */
  screenshotDir?: string;
  /** Only these aliases (`envAlias` for one). */
  aliases?: string[];
}

export interface LoginResult {
  /** One logged-in page per environment, by alias. */
  pages: Record<string, Page>;
  /** The one browser context holding every page; close it when done (unless it was given as `context`). */
  context: BrowserContext;
}

/** @internal how one environment's login ended, for the session's log. */
export interface LoginOutcome {
  jobId: string;
  flow: string;
  success: boolean;
  error?: string;
}

/**
 * A login step failed on every try: names the environment, the step and what the page showed on the
 * last try, and where each try's screenshot is.
 */
export class LoginError extends TerrariumError {
  constructor(
    readonly alias: string,
    /** Index of the failed step (0: opening the public URL, 1: the first declared step), as declared. */
    readonly step: { index: number; description: string },
    /** The page's URL and the start of its visible text when the step failed. */
    readonly page: { url: string; text: string },
    /** The last try's screenshot. */
    readonly screenshot: string | undefined,
    cause: unknown,
    /** How many tries failed. */
    readonly tries = 1,
    /** Every failed try's screenshot, in order (one may be missing when the page could not be captured). */
    readonly screenshots: string[] = screenshot ? [screenshot] : [],
  ) {
    super(
      `login to "${alias}" failed at step ${step.index} (${step.description}): ${
        cause instanceof Error ? cause.message.split("\n")[0] : String(cause)
      }; the page was ${page.url} showing "${page.text}"${screenshot ? `; screenshot: ${screenshot}` : ""}${
        tries > 1 ? `; tried ${tries} times` : ""
      }`,
      { cause },
    );
  }
}

const DEFAULT_STEP_TIMEOUT = 20_000;
const DEFAULT_FLOW = "login";
const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_DELAY_MS = 1000;
/** The wire keeps a login event's error up to this long. */
const MAX_ERROR_LENGTH = 4096;

/**
 * @internal Opens one page per environment (in `options.context` or a new context) and runs each
 * simulator's login flow in it, trying again on a new page after a failure. Every environment's outcome
 * goes to `record` before this answers or throws.
 */
export async function logIn(
  browser: Browser,
  plans: LoginPlanResponse["results"],
  options: LoginOptions,
  record: (outcome: LoginOutcome) => Promise<void>,
): Promise<LoginResult> {
  const flowName = options.flow ?? DEFAULT_FLOW;
  const wanted = chosen(Object.values(plans), options);
  for (const plan of wanted) {
    if (!plan.flow)
      throw new TerrariumError(`"${plan.alias}" (${plan.simulator ?? "artifact"}) declares no browser login`);
    if (flowName !== DEFAULT_FLOW)
      throw new TerrariumError(
        `flow: "${plan.alias}" (${plan.simulator ?? "artifact"}) has no login flow "${flowName}"; a simulator declares one browser login, "${DEFAULT_FLOW}" (simulator.yaml \`login.steps\`)`,
      );
  }
  const retries = Math.max(0, Math.floor(options.retries ?? DEFAULT_RETRIES));
  const delayMs = Math.max(0, options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
  const context = options.context ?? (await browser.newContext());
  const pages: Record<string, Page> = {};
  const outcomes = await Promise.allSettled(
    wanted.map(async (plan) => {
      const screenshots: string[] = [];
      for (let attempt = 1; ; attempt++) {
        const page = await context.newPage();
        page.setDefaultTimeout(options.stepTimeout ?? DEFAULT_STEP_TIMEOUT);
        try {
          await runFlow(page, plan.alias, plan.url, plan.flow!, attempt, options);
          pages[plan.alias] = page;
          return;
        } catch (error) {
          await page.close().catch(() => undefined);
          if (!(error instanceof LoginError)) throw error;
          if (error.screenshot) screenshots.push(error.screenshot);
          if (attempt > retries) {
            throw new LoginError(
              error.alias,
              error.step,
              error.page,
              error.screenshot,
              error.cause,
              attempt,
              screenshots,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
      }
    }),
  );
  const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
  // One after the other, so that the session's log has them in the order of the environments.
  let unrecorded: { reason: unknown } | undefined;
  for (const [i, plan] of wanted.entries()) {
    const outcome = outcomes[i]!;
    await record({
      jobId: plan.job_id,
      flow: flowName,
      success: outcome.status === "fulfilled",
      ...(outcome.status === "rejected"
        ? { error: String((outcome.reason as Error)?.message ?? outcome.reason).slice(0, MAX_ERROR_LENGTH) }
        : {}),
    }).catch((reason: unknown) => (unrecorded ??= { reason }));
  }
  if (failures.length > 0 || unrecorded) {
    if (options.context) await Promise.all(Object.values(pages).map((page) => page.close().catch(() => undefined)));
    else await context.close().catch(() => undefined);
    throw failures[0] ?? unrecorded!.reason;
  }
  return { pages, context };
}

/** The plans `options` ask for: one alias, some, or every one that declares a login. */
function chosen(plans: LoginPlan[], options: LoginOptions): LoginPlan[] {
  const aliases = options.envAlias !== undefined ? [options.envAlias] : options.aliases;
  if (!aliases) return plans.filter((plan) => plan.flow !== null);
  return aliases.map((alias) => {
    const plan = plans.find((p) => p.alias === alias);
    if (!plan) {
      const field = options.envAlias !== undefined ? "envAlias" : "aliases";
      throw new TerrariumError(
        `${field}: the session has no environment "${alias}"; its aliases: ${plans.map((p) => p.alias).join(", ")}`,
      );
    }
    return plan;
  });
}

async function runFlow(
  page: Page,
  alias: string,
  base: string,
  flow: LoginFlow,
  attempt: number,
  options: LoginOptions,
): Promise<void> {
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
        options.screenshotsDir ?? options.screenshotDir ?? join(tmpdir(), "terrarium-login"),
        `${alias}-try-${attempt}-step-${i}-${Date.now()}.png`,
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
