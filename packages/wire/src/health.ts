import { z } from "zod";

export const Health = z
  .object({
    status: z.literal("ok").describe('Always "ok": the server answers'),
    version: z.string().describe("Terrarium's version, e.g. 0.1.0"),
    runtime: z
      .object({
        name: z.string().describe('The container engine, "podman"'),
        version: z.string().describe("Its version, e.g. 5.4.2"),
      })
      .describe("The container engine environments run on"),
    capabilities: z
      .object({
        memory_snapshots: z
          .boolean()
          .describe("Whether `snapshot` (processes and memory, with CRIU) works on this host"),
        memory_snapshots_reason: z
          .string()
          .optional()
          .describe("Why memory snapshots are unavailable on this host, and how to fix it; absent when available"),
        disk_snapshots: z.boolean().describe("Whether `disk_snapshot` works on this host (always true)"),
      })
      .describe("What this server can do on this host"),
    auth: z
      .enum(["api_key", "none"])
      .describe("`api_key`: every /api/ route needs the `X-API-Key` header; `none`: no key is asked for"),
  })
  .describe("Liveness and what this server can do");
export type Health = z.infer<typeof Health>;
