import assert from "node:assert/strict";
import { ContainerLocks } from "./locks.ts";

Deno.test("a second holder waits for the first, is told once, then runs", async () => {
  const locks = new ContainerLocks();
  const order: string[] = [];
  const release = await locks.acquire("web", "recreate");
  assert.equal(locks.holder("web"), "recreate");
  const waits: string[] = [];
  const second = locks.acquire("web", "backup", { onWait: (h) => waits.push(h) }).then((r) => {
    order.push("backup");
    return r;
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(order.length, 0);
  order.push("recreate done");
  release();
  (await second)();
  assert.deepEqual(order, ["recreate done", "backup"]);
  assert.deepEqual(waits, ["recreate"]);
  assert.equal(locks.holder("web"), undefined);
});

Deno.test("waiting is cancelled by its signal; other names never wait", async () => {
  const locks = new ContainerLocks();
  const release = await locks.acquire("db", "backup");
  const abort = new AbortController();
  const waiting = locks.acquire("db", "recreate", { signal: abort.signal });
  (await locks.acquire("other", "backup"))();
  abort.abort(new Error("cancelled"));
  await assert.rejects(waiting, /cancelled/);
  release();
});
