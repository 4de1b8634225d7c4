import { z } from "zod";

export const Health = z.object({
  status: z.literal("ok"),
  version: z.string(),
  runtime: z.object({ name: z.string(), version: z.string() }),
  capabilities: z.object({
    memory_snapshots: z.boolean(),
    /** Why memory snapshots are unavailable on this host, and how to fix it; absent when available. */
    memory_snapshots_reason: z.string().optional(),
    disk_snapshots: z.boolean(),
  }),
  auth: z.enum(["api_key", "none"]),
});
export type Health = z.infer<typeof Health>;
