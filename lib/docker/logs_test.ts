import assert from "node:assert/strict";
import type { Frame } from "./_demux.ts";
import { splitLines } from "./logs.ts";

async function* frames(list: [Frame["stream"], string][]): AsyncGenerator<Frame> {
  for (const [stream, text] of list) yield { stream, data: new TextEncoder().encode(text) };
}

async function collect(list: [Frame["stream"], string][], timestamps = false) {
  const out = [];
  for await (const batch of splitLines(frames(list), timestamps)) out.push(...batch);
  return out;
}

Deno.test("splitLines() joins partial lines per stream and splits on newlines", async () => {
  assert.deepEqual(
    await collect([["stdout", "one\ntw"], ["stderr", "err"], ["stdout", "o\r\n"], [
      "stderr",
      "!\n",
    ]]),
    [
      { stream: "stdout", text: "one" },
      { stream: "stdout", text: "two" },
      { stream: "stderr", text: "err!" },
    ],
  );
  assert.deepEqual(await collect([["stdout", "no newline"]]), [{
    stream: "stdout",
    text: "no newline",
  }]);
});

Deno.test("splitLines() separates engine timestamps and survives split UTF-8", async () => {
  const euro = new TextEncoder().encode("€\n");
  async function* split(): AsyncGenerator<Frame> {
    yield { stream: "stdout", data: euro.subarray(0, 1) };
    yield { stream: "stdout", data: euro.subarray(1) };
  }
  const out = [];
  for await (const b of splitLines(split(), false)) out.push(...b);
  assert.deepEqual(out, [{ stream: "stdout", text: "€" }]);
  assert.deepEqual(
    await collect([["stdout", "2026-11-24T20:00:00.123456789Z hello world\n"]], true),
    [
      { stream: "stdout", time: "2026-11-24T20:00:00.123456789Z", text: "hello world" },
    ],
  );
});
