import type { FastifyInstance } from "fastify";
import { timingSafeEqual } from "node:crypto";
import type { Store } from "../store/store.js";

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Checks `X-API-Key` on every `/api/` route when keys are required. */
export function installAuth(app: FastifyInstance, store: Store, configuredKeys: string[]): void {
  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith("/api/")) return;
    const key = request.headers["x-api-key"];
    const given = Array.isArray(key) ? key[0] : key;
    if (given && (configuredKeys.some((k) => equal(k, given)) || store.isValidApiKey(given))) return;
    return reply.code(401).send({
      error: {
        code: "unauthorized",
        message: given
          ? "the X-API-Key header holds an unknown key"
          : "this server needs an API key: send it in the X-API-Key header (TERRARIUM_API_KEY for the SDK and CLI)",
        request_id: request.id,
      },
    });
  });
}
