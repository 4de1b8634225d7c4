import { isUtf8 } from "node:buffer";
import type { ExecEncoding } from "./runtime.js";

/**
 * One stream (stdout or stderr) of a command, kept up to `limit` bytes: the bytes past it are dropped
 * and `cut` says so.
 */
export class KeptOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  cut = false;

  constructor(private readonly limit: number) {}

  push(payload: Buffer): void {
    const room = Math.max(0, this.limit - this.size);
    if (payload.length > room) this.cut = true;
    if (room === 0 || payload.length === 0) return;
    const part = Buffer.from(payload.subarray(0, room));
    this.chunks.push(part);
    this.size += part.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * A stream's bytes as the answer carries them. `base64` is exact. `utf8` is text: a stream cut at the
 * limit ends at its last whole character (the cut never leaves half of one), and bytes that are not
 * UTF-8 become U+FFFD, which `lossy` reports.
 */
export function encodeOutput(bytes: Buffer, cut: boolean, encoding: ExecEncoding): { text: string; lossy: boolean } {
  if (encoding === "base64") return { text: bytes.toString("base64"), lossy: false };
  const whole = cut ? bytes.subarray(0, wholeCharactersEnd(bytes)) : bytes;
  return { text: whole.toString("utf8"), lossy: !isUtf8(whole) };
}

/** Where a UTF-8 text cut at the end of `bytes` ends without a partial character. */
export function wholeCharactersEnd(bytes: Buffer): number {
  // A character is at most 4 bytes: only the last 3 can start one that the cut left incomplete.
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 3); i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the character starts further back
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + length > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}
