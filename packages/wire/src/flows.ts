import { z } from "zod";

/*
 * A simulator's browser login in Plato's flow format, the one `GET /api/v2/jobs/{job_id}/flows`
 * answers: Plato's SDK runs the flow named `login` in `session.login(browser)`. The same steps as our
 * LoginFlow, with the credentials filled in.
 */

const common = {
  description: z.string().describe("What the step does, for logs"),
  timeout: z.number().int().describe("Milliseconds the step may take"),
};
const selector = z.string().describe("A Playwright selector (CSS, `text=...`)");

export const FlowStep = z
  .discriminatedUnion("type", [
    z.object({
      type: z.literal("navigate").describe("Open a URL"),
      url: z.string().describe("A path of the environment (relative to the page's URL) or an absolute URL"),
      ...common,
    }),
    z.object({
      type: z.literal("fill").describe("Type into a form field"),
      selector,
      value: z.string().describe("What to type"),
      ...common,
    }),
    z.object({ type: z.literal("click").describe("Click an element"), selector, ...common }),
    z.object({ type: z.literal("wait_for_selector").describe("Wait until an element exists"), selector, ...common }),
    z.object({
      type: z.literal("wait_for_url").describe("Wait until the page's URL contains a text"),
      url_contains: z.string().describe("The text the URL must contain"),
      ...common,
    }),
    z.object({
      type: z.literal("verify").describe("Check the page"),
      verify_type: z.literal("element_text").describe("Check the text of an element"),
      selector,
      text: z.string().describe("Text the element must contain"),
      contains: z.literal(true).describe("The element's text contains `text` (rather than equals it)"),
      ...common,
    }),
  ])
  .describe("One step of a flow");
export type FlowStep = z.infer<typeof FlowStep>;

export const Flow = z.object({
  name: z.string().describe("The flow's name: `login` for the simulator's browser login"),
  description: z.string().describe("What the flow does"),
  steps: z.array(FlowStep).describe("Browser steps, run in order"),
});
export type Flow = z.infer<typeof Flow>;

export const FlowList = z.array(Flow).describe("The environment's flows; empty when its simulator declares none");
