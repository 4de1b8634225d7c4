import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Public host names of environments: `<job>--<port>.<base domain>` reaches one port,
 * `<job>.<base domain>` the simulator's app port. Job ids (`j_0123456789ab`) are written with a hyphen
 * (`j-0123456789ab`) because an underscore is not valid in a DNS name or a certificate; both spellings
 * are accepted.
 */
export class PublicAddresses {
  /** Lower-case, without a port when the domain is reached on the scheme's default port. */
  readonly baseDomain: string;

  constructor(
    baseDomain: string,
    readonly scheme: "http" | "https",
  ) {
    this.baseDomain = baseDomain.toLowerCase();
  }

  url(jobId: string, port?: number): string {
    const label = jobId.replace("_", "-");
    return `${this.scheme}://${port === undefined ? label : `${label}--${port}`}.${this.baseDomain}/`;
  }

  /** The job and port a Host header names, or undefined when it is not one of ours. */
  parse(host: string | undefined): { jobId: string; port?: number } | undefined {
    if (!host) return undefined;
    const lower = host.toLowerCase();
    const suffix = `.${this.baseDomain}`;
    // A Host header carries the port only when it is not the default one: compare with and without.
    const bare = this.baseDomain.replace(/:\d+$/, "");
    const label = lower.endsWith(suffix)
      ? lower.slice(0, -suffix.length)
      : lower.endsWith(`.${bare}`) && !lower.slice(0, -bare.length - 1).includes(":")
        ? lower.slice(0, -bare.length - 1)
        : undefined;
    const match = label === undefined ? null : /^j[-_]([a-z0-9]{12})(?:--(\d{1,5}))?$/.exec(label);
    if (!match) return undefined;
    const port = match[2] === undefined ? undefined : Number(match[2]);
    if (port !== undefined && (port < 1 || port > 65535)) return undefined;
    return { jobId: `j_${match[1]}`, port };
  }
}

/**
 * Per-session access tokens for the proxy: an HMAC of the session id under a secret kept in the data
 * directory, so tokens survive restarts and need no storage. A request from anywhere but loopback
 * must carry its session's token.
 */
export class AccessTokens {
  private readonly secret: Buffer;

  constructor(secretFile: string) {
    if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString("hex"), { mode: 0o600 });
    this.secret = Buffer.from(readFileSync(secretFile, "utf8").trim(), "hex");
  }

  of(sessionId: string): string {
    return createHmac("sha256", this.secret).update(sessionId).digest("base64url").slice(0, 32);
  }

  accepts(sessionId: string, token: string | undefined): boolean {
    if (!token) return false;
    const expected = Buffer.from(this.of(sessionId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
