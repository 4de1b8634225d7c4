import type { FastifyInstance } from "fastify";
import { timingSafeEqual } from "node:crypto";
import type { Store } from "../store/store.js";
import { errorBody } from "./errors.js";

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Checks `X-API-Key` on every `/api/` route when keys are required. Otherwise it is not installed and
 * any key, or none, is accepted: Plato's SDK refuses to start without one, so its users send some.
 */
export function installAuth(app: FastifyInstance, store: Store, configuredKeys: string[]): void {
  app.addHook("onRequest", async (request, reply) => {
    if (!request.url.startsWith("/api/")) return;
    const key = request.headers["x-api-key"];
    const given = Array.isArray(key) ? key[0] : key;
    if (given && (configuredKeys.some((k) => equal(k, given)) || store.isValidApiKey(given))) return;
    const message = given
      ? "the X-API-Key header holds an unknown key"
      : "this server needs an API key: send it in the X-API-Key header (TERRARIUM_API_KEY for the SDK and CLI)";
    return reply.code(401).send(errorBody("unauthorized", message, request.id));
  });
}
