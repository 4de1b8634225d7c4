import { z } from "zod";

export const Alias = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    "an alias is 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
  )
  .describe(
    "The environment's name within its session, also its DNS name on the session's network: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
  );

export const SessionId = z
  .string()
  .regex(/^s_[a-z0-9]{12}$/, "a session id looks like s_0123456789ab")
  .describe("A session id: `s_` and 12 lowercase letters or digits, e.g. s_0123456789ab");
export const JobId = z
  .string()
  .regex(/^j_[a-z0-9]{12}$/, "a job id looks like j_0123456789ab")
  .describe("A job (environment) id: `j_` and 12 lowercase letters or digits, e.g. j_0123456789ab");
