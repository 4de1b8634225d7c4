import { afterEach, describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  GatewayTimeoutError,
  InternalServerError,
  NotFoundError,
  ServiceUnavailableError,
  Terrarium,
  TerrariumError,
  TimeoutError,
} from "../src/index.js";
import { fail, startFakeApi, type FakeApi } from "./fake-api.js";

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("errors", () => {
  const cases: [number, string, abstract new (...args: never[]) => Error][] = [
    [400, "bad_request", BadRequestError],
    [401, "unauthorized", AuthenticationError],
    [404, "not_found", NotFoundError],
    [409, "conflict", ConflictError],
    [500, "internal", InternalServerError],
    [502, "internal", InternalServerError],
    [503, "unavailable", ServiceUnavailableError],
    [504, "timeout", GatewayTimeoutError],
  ];

  it.each(cases)(
    "maps %i to its class, with the server's code, message and request id",
    async (status, code, Class) => {
      api = await startFakeApi(() => fail(status, code, `the server says ${status}`));
      const error = await new Terrarium({ baseUrl: api.url, maxRetries: 0 }).sessions
        .retrieve("s_1")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toBeInstanceOf(TerrariumError);
      expect(error).toMatchObject({ status, code, message: `the server says ${status}`, requestId: "req_test" });
      expect((error as Error).name).toBe(Class.name);
    },
  );

  it("an error code this SDK does not know still gives the server's message and details", async () => {
    api = await startFakeApi(() => ({
      status: 429,
      body: { error: { code: "too_many_requests", message: "slow down", details: { limit: 10 } } },
    }));
    const error = await new Terrarium({ baseUrl: api.url }).sessions.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 429,
      code: "too_many_requests",
      message: "slow down",
      details: { limit: 10 },
    });
    expect(api.count("/api/v2/sessions")).toBe(1);
  });

  it("a 504 is a TimeoutError too; other API errors are not", async () => {
    expect(new GatewayTimeoutError("timeout", "slow")).toBeInstanceOf(TimeoutError);
    expect(new GatewayTimeoutError("timeout", "slow")).toBeInstanceOf(ApiError);
    expect(new GatewayTimeoutError("timeout", "slow")).not.toBeInstanceOf(NotFoundError);
    expect(new NotFoundError(404, "not_found", "x")).not.toBeInstanceOf(TimeoutError);
    expect(new NotFoundError(404, "not_found", "x")).not.toBeInstanceOf(ConflictError);
    expect(new TimeoutError("client-side")).not.toBeInstanceOf(ApiError);
  });

  it("an error body that is not the server's shape still gives a typed error with the status", async () => {
    api = await startFakeApi(() => ({ status: 502, text: "Bad Gateway from a proxy" }));
    const error = await new Terrarium({ baseUrl: api.url, maxRetries: 0 }).sessions.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: "http_error" });
    expect((error as Error).message).toMatch(/GET \/api\/v2\/sessions answered 502: Bad Gateway from a proxy/);
  });

  it("a 2xx answer that is not JSON is a TerrariumError, not a SyntaxError", async () => {
    api = await startFakeApi(() => ({ status: 200, text: "<html>" }));
    const error = await new Terrarium({ baseUrl: api.url }).health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TerrariumError);
    expect((error as Error).message).toMatch(/not JSON/);
  });

  it("says which URL it could not reach and how to start a server", async () => {
    const error = await new Terrarium({ baseUrl: "http://127.0.0.1:9", maxRetries: 0 })
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/http:\/\/127\.0\.0\.1:9 .*`terrarium up` starts one/);
  });

  it("a request slower than the client's timeout is a TimeoutError", async () => {
    api = await startFakeApi(() => ({ delayMs: 1000, body: { sessions: [] } }));
    const started = Date.now();
    const error = await new Terrarium({ baseUrl: api.url, timeout: 100, maxRetries: 0 }).sessions
      .list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as Error).message).toMatch(/GET \/api\/v2\/sessions took longer than 100 ms/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("an aborted signal rejects with the signal's reason", async () => {
    api = await startFakeApi(() => ({ delayMs: 1000, body: { sessions: [] } }));
    const controller = new AbortController();
    const pending = new Terrarium({ baseUrl: api.url }).sessions.list({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user gave up")), 50);
    await expect(pending).rejects.toThrow("user gave up");
  });
});
