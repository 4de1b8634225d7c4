/**
 * Splits Podman's multiplexed attach stream (8-byte headers: stream type, 3 zero bytes, big-endian
 * payload length) into stdout and stderr, keeping at most `limit` bytes of each.
 */
export class StreamDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private outBytes = 0;
  private errBytes = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const payload = this.pending.subarray(8, 8 + size);
      this.keep(this.pending[0] === 2 ? "err" : "out", payload);
      this.pending = this.pending.subarray(8 + size);
    }
  }

  private keep(stream: "out" | "err", payload: Buffer): void {
    const used = stream === "out" ? this.outBytes : this.errBytes;
    const room = this.limit - used;
    if (room <= 0) {
      if (payload.length > 0) this.truncated = true;
      return;
    }
    const part = payload.length > room ? payload.subarray(0, room) : payload;
    if (part.length < payload.length) this.truncated = true;
    if (stream === "out") {
      this.out.push(Buffer.from(part));
      this.outBytes += part.length;
    } else {
      this.err.push(Buffer.from(part));
      this.errBytes += part.length;
    }
  }

  get stdout(): string {
    return Buffer.concat(this.out).toString("utf8");
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString("utf8");
  }
}
