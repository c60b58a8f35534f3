import assert from "node:assert/strict";
import { demuxFrames } from "./_demux.ts";
import { readJsonLines } from "./_json_lines.ts";
import { z } from "zod";

function frame(stream: number, text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, payload.length);
  out.set(payload, 8);
  return out;
}

async function* chunked(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

Deno.test("demuxFrames() separates stdout and stderr however chunks split", async () => {
  const all = new Uint8Array([...frame(1, "out one\n"), ...frame(2, "err\n"), ...frame(1, "two")]);
  for (const size of [1, 3, 8, 9, 1000]) {
    const frames = [];
    for await (const f of demuxFrames(chunked(all, size))) {
      frames.push(`${f.stream}:${new TextDecoder().decode(f.data)}`);
    }
    assert.deepEqual(frames, ["stdout:out one\n", "stderr:err\n", "stdout:two"], `chunk ${size}`);
  }
});

Deno.test("demuxFrames() throws when the stream ends inside a frame", async () => {
  const truncated = frame(1, "hello").subarray(0, 10);
  await assert.rejects(async () => {
    for await (const _ of demuxFrames(chunked(truncated, 4))) { /* drain */ }
  }, /ended inside a frame/);
});

Deno.test("readJsonLines() parses split lines and rejects bad ones", async () => {
  const text = new TextEncoder().encode('{"a":1}\n\n{"a":2}\n{"a":3}');
  const values = [];
  for await (const v of readJsonLines(chunked(text, 5), z.object({ a: z.number() }))) {
    values.push(v.a);
  }
  assert.deepEqual(values, [1, 2, 3]);
  await assert.rejects(async () => {
    for await (
      const _ of readJsonLines(chunked(new TextEncoder().encode("{oops}\n"), 3), z.unknown())
    ) {
      // drain
    }
  }, /not JSON/);
});
