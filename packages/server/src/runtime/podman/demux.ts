import { KeptOutput } from "../output.js";

/**
 * Splits Podman's multiplexed attach stream (8-byte headers: stream type, 3 zero bytes, big-endian
 * payload length) into stdout and stderr, keeping at most `limit` bytes of each.
 */
export class StreamDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  readonly out: KeptOutput;
  readonly err: KeptOutput;

  constructor(limit: number) {
    this.out = new KeptOutput(limit);
    this.err = new KeptOutput(limit);
  }

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const payload = this.pending.subarray(8, 8 + size);
      (this.pending[0] === 2 ? this.err : this.out).push(payload);
      this.pending = this.pending.subarray(8 + size);
    }
  }
}
