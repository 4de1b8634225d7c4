import type { FastifyInstance } from "fastify";
import { Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Store } from "../store/store.js";

/**
 * `/metrics` in Prometheus' text format: request durations per route and status, the sessions and
 * environments open now by status, and the process's own figures.
 */
export function installMetrics(app: FastifyInstance, store: Store): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "terrarium_" });
  const duration = new Histogram({
    name: "terrarium_http_request_duration_seconds",
    help: "Duration of API requests",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: "terrarium_sessions_active",
    help: "Sessions not closed",
    registers: [registry],
    collect() {
      this.set(store.listSessions("active").length);
    },
  });
  new Gauge({
    name: "terrarium_environments",
    help: "Environments not closed, by status",
    labelNames: ["status"],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of store.openJobs()) this.inc({ status: job.status });
    },
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url;
    if (!route || route === "/metrics") return;
    duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get(
    "/metrics",
    {
      schema: {
        tags: ["health"],
        summary: "Prometheus metrics (text format 0.0.4): request durations, open sessions and environments",
        produces: ["text/plain"],
      },
    },
    async (_request, reply) => {
      reply.header("content-type", registry.contentType);
      return registry.metrics();
    },
  );
}
