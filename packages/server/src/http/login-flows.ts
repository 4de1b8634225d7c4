import type { Flow, FlowStep, LoginFlow, LoginStep } from "@terrarium/wire";

/** What the SDK's own login gives each step: Plato's 8 s default is short for a first page load. */
const STEP_TIMEOUT_MS = 20_000;

/**
 * A simulator's declared browser login as the `login` flow Plato's SDK runs: the same steps, the
 * credentials filled in (as the login plan answers them too).
 */
export function platoLoginFlow(simulator: string, login: LoginFlow): Flow {
  const fill = (text: string) => text.replaceAll("{username}", login.username).replaceAll("{password}", login.password);
  return {
    name: "login",
    description: `Log in to ${simulator} as ${login.username}`,
    steps: login.steps.flatMap((step) => stepsOf(step, fill)),
  };
}

function stepsOf(step: LoginStep, fill: (text: string) => string): FlowStep[] {
  const timeout = STEP_TIMEOUT_MS;
  if ("goto" in step) return [{ type: "navigate", url: step.goto, description: `open ${step.goto}`, timeout }];
  if ("fill" in step) {
    const { selector, value } = step.fill;
    const shown = value.includes("{password}") ? "the password" : fill(value);
    return [{ type: "fill", selector, value: fill(value), description: `fill ${selector} with ${shown}`, timeout }];
  }
  if ("click" in step) return [{ type: "click", selector: step.click, description: `click ${step.click}`, timeout }];
  if ("wait_for" in step) {
    const { selector, url } = step.wait_for;
    if (selector !== undefined)
      return [{ type: "wait_for_selector", selector, description: `wait for ${selector}`, timeout }];
    const part = literalOf(fill(url!));
    return [{ type: "wait_for_url", url_contains: part, description: `wait for a URL matching ${url}`, timeout }];
  }
  // Plato checks the element at once: wait for it first, as our own login does.
  const { selector, text } = step.verify;
  return [
    { type: "wait_for_selector", selector, description: `wait for ${selector}`, timeout },
    {
      type: "verify",
      verify_type: "element_text",
      selector,
      text: fill(text),
      contains: true,
      description: `verify "${fill(text)}" in ${selector}`,
      timeout,
    },
  ];
}

/**
 * Plato waits for a URL containing a text, ours for a URL matching a glob (`**\/my/page`): the glob's
 * longest literal run is what every matching URL contains.
 */
export const literalOf = (glob: string): string =>
  glob.split(/[*?[\]{}]/).reduce((longest, part) => (part.length > longest.length ? part : longest), "");
