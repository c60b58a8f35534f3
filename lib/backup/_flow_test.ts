import assert from "node:assert/strict";
import { FlowWindow } from "./_flow.ts";

Deno.test("a producer waiting for room is released with the consumer's failure", async () => {
  const w = new FlowWindow(10);
  await w.room(11); // over the limit: the next call waits
  const waiting = w.room(1);
  w.fail(new Error("disk full"));
  await assert.rejects(waiting, /disk full/);
  await assert.rejects(w.room(1), /disk full/, "and so is every later one");
});

Deno.test("room frees up as the consumer takes bytes", async () => {
  const w = new FlowWindow(10);
  await w.room(11);
  let released = false;
  const waiting = w.room(1).then(() => released = true);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(released, false);
  w.consumed(11);
  await waiting;
  assert.equal(released, true);
});
