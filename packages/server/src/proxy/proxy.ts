import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { createProxyServer } from "http-proxy-3";
import type { FastifyBaseLogger } from "fastify";
import { isLoopback } from "../config.js";
import { EXEC_AGENT_PORT, type Runtime } from "../runtime/runtime.js";
import { AccessTokens, PublicAddresses } from "./addresses.js";

/** Where the proxy sends a job's traffic: only a running environment of an open job is reachable. */
export type JobRoute =
  | { kind: "unknown" }
  | { kind: "closed"; reason: string | null }
  | { kind: "starting" }
  | { kind: "running"; sessionId: string; containerId: string; appPort: number | null; ready: boolean };

/** What the proxy needs of the sessions layer, which sits above it. */
export interface JobRoutes {
  route(jobId: string): JobRoute;
}

export const TOKEN_PARAM = "terrarium_token";
const TOKEN_HEADER = "x-terrarium-token";

export interface ProxyOptions {
  host: string;
  port: number;
  /** Base domain of public URLs; `localhost:<port>` when unset. */
  domain?: string;
  scheme: "http" | "https";
  secretFile: string;
  sessions: JobRoutes;
  runtime: Runtime;
  log: FastifyBaseLogger;
}

/** Why a request does not reach an environment: the status and the page that says so. */
class Refusal {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

type Target = { target: string } | { redirect: string; cookie: string };

/**
 * The routing proxy: `http://<job>--<port>.<domain>` reaches that port of that environment, over HTTP
 * (any method, streamed bodies, the browser's Host kept so the app's redirects point back through the
 * proxy) and WebSocket. Unknown and closed jobs answer 404, environments still starting 503. Clients
 * off loopback must show the session's access token (query parameter once, then a cookie).
 */
export class EnvironmentProxy {
  private readonly addresses = new Map<string, string>();
  /** Connections to environments are kept open between requests. */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 });
  private readonly proxy = createProxyServer({ xfwd: true, ws: true, agent: this.agent });

  private constructor(
    private readonly o: ProxyOptions,
    private readonly server: Server,
    readonly port: number,
    readonly publicAddresses: PublicAddresses,
    readonly tokens: AccessTokens,
  ) {
    this.proxy.on("error", (error, req, res) => {
      const refusal = unreachable(error as NodeJS.ErrnoException);
      if (res && "writeHead" in res) sendPage(res as ServerResponse, refusal);
      else if (res) refuseSocket(res as Duplex, refusal);
      o.log.debug({ err: error, url: (req as IncomingMessage).url }, "proxy: upstream failed");
    });
    server.on("request", (req, res) => this.onRequest(req, res));
    server.on("upgrade", (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  static async start(o: ProxyOptions): Promise<EnvironmentProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port, o.host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : o.port;
    const addresses = new PublicAddresses(o.domain ?? `localhost:${port}`, o.scheme);
    return new EnvironmentProxy(o, server, port, addresses, new AccessTokens(o.secretFile));
  }

  /** An environment's public URL; with the session's token for clients that are not on loopback. */
  url(jobId: string, sessionId: string, port?: number): string {
    const url = this.publicAddresses.url(jobId, port);
    return this.o.domain ? `${url}?${TOKEN_PARAM}=${this.tokens.of(sessionId)}` : url;
  }

  close(): Promise<void> {
    this.proxy.close?.();
    this.agent.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const target = await this.resolve(req);
      if ("redirect" in target) {
        res.writeHead(302, { location: target.redirect, "set-cookie": target.cookie, "cache-control": "no-store" });
        return void res.end();
      }
      this.proxy.web(req, res, { target: target.target });
    } catch (error) {
      req.resume();
      sendPage(res, this.refusalOf(error, req));
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => socket.destroy());
    try {
      const target = await this.resolve(req);
      if ("redirect" in target) throw new Refusal(400, "Bad request", "send the access token as a cookie");
      this.proxy.ws(req, socket, head, { target: target.target });
    } catch (error) {
      refuseSocket(socket, this.refusalOf(error, req));
    }
  }

  /** A refusal as it is; anything else is the proxy's own failure: logged, answered 502, never fatal. */
  private refusalOf(error: unknown, req: IncomingMessage): Refusal {
    if (error instanceof Refusal) return error;
    this.o.log.warn({ err: error, url: req.url }, "proxy: request failed");
    return new Refusal(502, "Proxy error", "The environment proxy could not route this request.");
  }

  /** Where a request goes, or why it goes nowhere. */
  private async resolve(req: IncomingMessage): Promise<Target> {
    const named = this.publicAddresses.parse(req.headers.host);
    if (!named) {
      throw new Refusal(
        404,
        "Not an environment address",
        `This is Terrarium's environment proxy. Environments answer at ${this.publicAddresses.url("j_<job id>", 80).replace("j-<job id>", "<job id>")} (a port) or without "--<port>" (the app's port).`,
      );
    }
    const route = this.o.sessions.route(named.jobId);
    if (route.kind === "unknown") throw new Refusal(404, "Unknown environment", `There is no job ${named.jobId}.`);
    if (route.kind === "closed") {
      throw new Refusal(
        404,
        "Environment closed",
        `Job ${named.jobId} is closed${route.reason ? ` (${route.reason})` : ""}.`,
      );
    }
    if (route.kind === "starting") {
      throw new Refusal(503, "Environment starting", `Job ${named.jobId} is not running yet; try again shortly.`, {
        "retry-after": "1",
      });
    }
    const port = named.port ?? route.appPort;
    if (port === null) {
      throw new Refusal(404, "No app port", `Job ${named.jobId} has no app port: name one as <job>--<port>.`);
    }
    if (port === EXEC_AGENT_PORT) {
      throw new Refusal(
        404,
        "Reserved port",
        `Port ${port} is Terrarium's exec agent inside the environment; it is not served through the proxy.`,
      );
    }

    // The request target is a path; parsed against a fixed origin, so `//` or `//host/x` stays a path.
    const target = req.url ?? "/";
    if (!target.startsWith("/")) throw new Refusal(400, "Bad request", "The request target must be a path.");
    let url: URL;
    try {
      url = new URL(`http://proxy.invalid${target}`);
    } catch {
      throw new Refusal(400, "Bad request", "The request target is not a valid path.");
    }
    const fromQuery = url.searchParams.get(TOKEN_PARAM) ?? undefined;
    const cookies = parseCookies(req.headers.cookie);
    if (!isLoopback(req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "")) {
      const header = req.headers[TOKEN_HEADER];
      const given = fromQuery ?? cookies.get(TOKEN_PARAM) ?? (Array.isArray(header) ? header[0] : header);
      if (!this.tokens.accepts(route.sessionId, given)) {
        throw new Refusal(
          401,
          "Access token required",
          `Open this environment through the URL its session's public_url answers (it carries ?${TOKEN_PARAM}=...).`,
        );
      }
    }
    if (fromQuery !== undefined && (req.method === "GET" || req.method === "HEAD") && !isUpgrade(req)) {
      // Trade the token in the URL for a cookie, so it leaves the address bar and the app never sees it.
      url.searchParams.delete(TOKEN_PARAM);
      const secure = this.publicAddresses.scheme === "https" ? "; Secure" : "";
      return {
        // One leading slash: `//host/x` in a Location header would send the browser to another site.
        redirect: `${url.pathname.replace(/^\/+/, "/")}${url.search}`,
        cookie: `${TOKEN_PARAM}=${fromQuery}; Path=/; HttpOnly; SameSite=Lax${secure}`,
      };
    }
    if (cookies.has(TOKEN_PARAM)) {
      cookies.delete(TOKEN_PARAM);
      if (cookies.size > 0) req.headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      else delete req.headers.cookie;
    }
    delete req.headers[TOKEN_HEADER];

    const address = await this.addressOf(route.containerId);
    if (!address) throw new Refusal(503, "Environment not reachable", `Job ${named.jobId} has no network address.`);
    return { target: `http://${address}:${port}` };
  }

  private async addressOf(containerId: string): Promise<string | undefined> {
    const known = this.addresses.get(containerId);
    if (known) return known;
    const info = await this.o.runtime.inspectEnvironment(containerId);
    if (!info?.address) return undefined;
    if (this.addresses.size > 4096) this.addresses.clear();
    this.addresses.set(containerId, info.address);
    return info.address;
  }
}

function unreachable(error: NodeJS.ErrnoException): Refusal {
  if (error.code === "ECONNREFUSED")
    return new Refusal(503, "Not answering yet", "Nothing listens on that port of the environment (yet).", {
      "retry-after": "1",
    });
  return new Refusal(502, "Bad gateway", `The environment did not answer: ${error.code ?? error.message}.`);
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0) cookies.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return cookies;
}

const isUpgrade = (req: IncomingMessage) => (req.headers.upgrade ?? "") !== "";

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function page(refusal: Refusal): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(refusal.title)} - Terrarium</title></head><body><h1>${escape(refusal.title)}</h1><p>${escape(refusal.detail)}</p><p><small>${refusal.status}, Terrarium environment proxy</small></p></body></html>\n`;
}

function sendPage(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) return void res.destroy();
  const body = page(refusal);
  res.writeHead(refusal.status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...refusal.headers,
  });
  res.end(body);
}

function refuseSocket(socket: Duplex, refusal: Refusal): void {
  const body = page(refusal);
  const headers = Object.entries({
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    connection: "close",
    ...refusal.headers,
  })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${refusal.status} ${refusal.title}\r\n${headers}\r\n${body}`);
}
