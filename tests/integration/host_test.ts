/** Host figures and the engine overview against the real engine. */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun } from "../_harness.ts";

Deno.test("host and engine overview match the engine and the machine", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const host = await admin.json<{
    cpuPercent: number;
    cpus: number;
    memory: { totalBytes: number; availableBytes: number };
    disk: { path: string; totalBytes: number; freeBytes: number };
  }>("GET", "/api/system/host");
  assert.equal(host.status, 200);
  assert.equal(typeof host.body.cpuPercent, "number", "CPU is read inside the sandbox");
  assert.ok(host.body.cpuPercent >= 0 && host.body.cpuPercent <= 100);
  assert.equal(host.body.cpus, navigator.hardwareConcurrency);
  const memTotal = Number(/MemTotal:\s+(\d+)/.exec(await Deno.readTextFile("/proc/meminfo"))![1]) *
    1024;
  assert.equal(host.body.memory.totalBytes, memTotal);
  assert.equal(host.body.disk.path, bosun.dataDir);
  assert.ok(host.body.disk.freeBytes > 0 && host.body.disk.freeBytes <= host.body.disk.totalBytes);

  // Other test files add and remove images, volumes and networks meanwhile: compare at a
  // moment when the engine's counts were the same just before and just after Bosun's answer.
  const lines = (s: string) => s.split("\n").filter(Boolean).length;
  const counts = async () => {
    const info = JSON.parse(await docker("info", "--format", "{{json .}}"));
    return {
      serverVersion: info.ServerVersion as string,
      storageDriver: info.Driver as string,
      images: info.Images as number,
      volumes: lines(await docker("volume", "ls", "-q")),
      networks: lines(await docker("network", "ls", "-q")),
    };
  };
  for (let attempt = 1;; attempt++) {
    const before = await counts();
    const engine = await admin.json<{
      serverVersion: string;
      storageDriver: string;
      containers: { total: number };
      images: number;
      volumes: number;
      networks: number;
    }>("GET", "/api/system/engine");
    const after = await counts();
    assert.equal(engine.status, 200);
    if (JSON.stringify(before) !== JSON.stringify(after) && attempt < 10) continue;
    const { serverVersion, storageDriver, images, volumes, networks } = engine.body;
    assert.deepEqual({ serverVersion, storageDriver, images, volumes, networks }, after);
    break;
  }
});
