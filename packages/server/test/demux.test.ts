import { describe, expect, it } from "vitest";
import { StreamDemuxer } from "../src/runtime/podman/demux.js";

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

const text = (d: StreamDemuxer) => [d.out.bytes().toString(), d.err.bytes().toString()];

describe("StreamDemuxer", () => {
  it("splits stdout and stderr frames", () => {
    const d = new StreamDemuxer(1024);
    d.push(Buffer.concat([frame(1, "out1 "), frame(2, "err"), frame(1, "out2")]));
    expect([...text(d), d.out.cut, d.err.cut]).toEqual(["out1 out2", "err", false, false]);
  });

  it("reassembles frames split anywhere, including inside headers and multibyte characters", () => {
    const all = Buffer.concat([frame(1, "héllo wörld"), frame(2, "ünïcode")]);
    for (let cut = 1; cut < all.length; cut++) {
      const d = new StreamDemuxer(1024);
      d.push(all.subarray(0, cut));
      d.push(all.subarray(cut));
      expect(text(d)).toEqual(["héllo wörld", "ünïcode"]);
    }
  });

  it("keeps at most the limit of each stream and says which one it cut", () => {
    const d = new StreamDemuxer(5);
    d.push(Buffer.concat([frame(1, "0123"), frame(1, "456789"), frame(2, "ab")]));
    expect([...text(d), d.out.cut, d.err.cut]).toEqual(["01234", "ab", true, false]);
  });
});
