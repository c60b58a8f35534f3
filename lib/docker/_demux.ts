/**
 * Demultiplexes the engine's stdout/stderr framing (logs and attach of containers without
 * a TTY): each frame is an 8-byte header — stream type (1 stdin, 2 stdout… 0 stdin, 1
 * stdout, 2 stderr), three zero bytes, a big-endian uint32 length — then the payload.
 */

/** One demultiplexed frame. */
export interface Frame {
  stream: "stdin" | "stdout" | "stderr";
  data: Uint8Array;
}

const STREAMS = ["stdin", "stdout", "stderr"] as const;

/** Yields frames from raw chunks, however the chunks split headers and payloads. */
export async function* demuxFrames(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    pending = pending.length ? concat(pending, chunk) : chunk;
    while (pending.length >= 8) {
      const size = new DataView(pending.buffer, pending.byteOffset, 8).getUint32(4);
      if (pending.length < 8 + size) break;
      const stream = STREAMS[pending[0]] ?? "stdout";
      yield { stream, data: pending.slice(8, 8 + size) };
      pending = pending.subarray(8 + size);
    }
  }
  if (pending.length) throw new Error(`Log stream ended inside a frame (${pending.length} bytes)`);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
