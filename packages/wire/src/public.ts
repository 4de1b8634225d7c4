import { z } from "zod";

/** `?port=`: which port of the environment a public URL reaches; the simulator's app port when unset. */
export const PublicUrlQuery = z.object({
  port: z.coerce.number().int().min(1).max(65535).optional(),
});
export type PublicUrlQuery = z.infer<typeof PublicUrlQuery>;

export const PublicUrl = z.object({
  alias: z.string(),
  /** Where a browser reaches the environment, e.g. http://j-0123456789ab--80.localhost:7351/ */
  url: z.string(),
});

export const PublicUrlResponse = z.object({
  /** Per job id. */
  results: z.record(z.string(), PublicUrl),
});
export type PublicUrlResponse = z.infer<typeof PublicUrlResponse>;

/**
 * One step of a declarative browser login. Values may name the simulator's credentials as
 * `{username}` and `{password}`; paths are relative to the environment's public URL.
 */
export const LoginStep = z.union([
  z.object({ goto: z.string().startsWith("/") }).strict(),
  z.object({ fill: z.object({ selector: z.string(), value: z.string() }).strict() }).strict(),
  z.object({ click: z.string() }).strict(),
  z
    .object({
      wait_for: z
        .object({ selector: z.string().optional(), url: z.string().optional() })
        .strict()
        .refine((w) => (w.selector === undefined) !== (w.url === undefined), "give either selector or url"),
    })
    .strict(),
  z.object({ verify: z.object({ text: z.string(), selector: z.string().default("body") }).strict() }).strict(),
]);
export type LoginStep = z.output<typeof LoginStep>;

export const LoginFlow = z.object({
  username: z.string(),
  password: z.string(),
  steps: z.array(LoginStep).min(1),
});
export type LoginFlow = z.output<typeof LoginFlow>;

export const LoginPlan = z.object({
  alias: z.string(),
  simulator: z.string().nullable(),
  /** The environment's public URL (app port). */
  url: z.string(),
  /** null when the simulator declares no browser login. */
  flow: LoginFlow.nullable(),
});

export const LoginPlanResponse = z.object({
  /** Per job id. */
  results: z.record(z.string(), LoginPlan),
});
export type LoginPlanResponse = z.infer<typeof LoginPlanResponse>;
