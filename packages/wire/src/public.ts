import { z } from "zod";

export const PublicUrlQuery = z.object({
  port: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe("Which port of the environment the URL reaches (1-65535); the simulator's app port when unset"),
});
export type PublicUrlQuery = z.infer<typeof PublicUrlQuery>;

export const PublicUrl = z.object({
  job_id: z.string().describe("The environment's job id (j_...)"),
  success: z.boolean().describe("Whether the environment has a URL (always true for an open environment)"),
  alias: z.string().describe("The environment's alias"),
  url: z
    .string()
    .describe(
      "Where a browser reaches the environment through Terrarium's proxy, e.g. http://j-0123456789ab--80.localhost:7351/ (no `--<port>`: the app port); on a public domain it carries the session's `terrarium_token`",
    ),
});

export type PublicUrl = z.infer<typeof PublicUrl>;

export const PublicUrlResponse = z.object({
  session_id: z.string().describe("The session the answer is about (s_...)"),
  results: z.record(z.string(), PublicUrl).describe("Per job id"),
});
export type PublicUrlResponse = z.infer<typeof PublicUrlResponse>;

const selector = "A Playwright selector (CSS, `text=...`), the first match is used";

/**
 * One step of a declarative browser login. Values may name the simulator's credentials as
 * `{username}` and `{password}`; paths are relative to the environment's public URL.
 */
export const LoginStep = z
  .union([
    z.object({ goto: z.string().startsWith("/").describe("Open this path of the environment, e.g. /login") }).strict(),
    z
      .object({
        fill: z
          .object({
            selector: z.string().describe(`The field to type into: ${selector}`),
            value: z.string().describe("What to type; `{username}` and `{password}` stand for the flow's credentials"),
          })
          .strict()
          .describe("Type a value into a form field"),
      })
      .strict(),
    z.object({ click: z.string().describe(`Click the element: ${selector}`) }).strict(),
    z
      .object({
        wait_for: z
          .object({
            selector: z.string().optional().describe(`Wait until this element exists: ${selector}`),
            url: z
              .string()
              .optional()
              .describe("Wait until the page's URL matches this Playwright URL glob, e.g. **/my/page"),
          })
          .strict()
          .refine((w) => (w.selector === undefined) !== (w.url === undefined), "give either selector or url")
          .describe("Wait for an element or a URL: give exactly one of selector and url"),
      })
      .strict(),
    z
      .object({
        verify: z
          .object({
            text: z.string().describe("Text the page must show to prove the login worked; `{username}` may appear"),
            selector: z.string().default("body").describe(`Where to look for it: ${selector}; body by default`),
          })
          .strict()
          .describe("Check that the login worked"),
      })
      .strict(),
  ])
  .describe("One step: exactly one of goto, fill, click, wait_for, verify");
export type LoginStep = z.output<typeof LoginStep>;

export const LoginFlow = z.object({
  username: z.string().describe("The account the steps log in as"),
  password: z.string().describe("Its password"),
  steps: z.array(LoginStep).min(1).describe("Browser steps, run in order"),
});
export type LoginFlow = z.output<typeof LoginFlow>;

export const LoginPlan = z.object({
  job_id: z.string().describe("The environment's job id (j_...)"),
  alias: z.string().describe("The environment's alias"),
  simulator: z
    .string()
    .nullable()
    .describe("The environment's simulator (for an artifact, the one it is a snapshot of); null when none is recorded"),
  url: z.string().describe("The environment's public URL (app port), where relative paths of the steps start"),
  flow: LoginFlow.nullable().describe("How to log in; null when the simulator declares no browser login"),
});

export type LoginPlan = z.infer<typeof LoginPlan>;

export const LoginPlanResponse = z.object({
  session_id: z.string().describe("The session the answer is about (s_...)"),
  results: z.record(z.string(), LoginPlan).describe("Per job id"),
});
export type LoginPlanResponse = z.infer<typeof LoginPlanResponse>;
