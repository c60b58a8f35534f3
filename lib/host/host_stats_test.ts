import assert from "node:assert/strict";
import { cpuBusyPercent, HostSampler, sumCpuTimes } from "./host_stats.ts";

const cpu = (user: number, idle: number) => ({ times: { user, nice: 0, sys: 0, idle, irq: 0 } });

Deno.test("sumCpuTimes() and cpuBusyPercent() give the busy share between readings", () => {
  const a = sumCpuTimes([cpu(100, 400), cpu(100, 400)])!;
  assert.deepEqual(a, { idle: 800, total: 1000 });
  const b = sumCpuTimes([cpu(200, 800), cpu(200, 800)])!;
  assert.equal(cpuBusyPercent(a, b), 20);
  assert.equal(sumCpuTimes([]), undefined);
  assert.equal(cpuBusyPercent(a, a), 0);
});

Deno.test("HostSampler reads memory, disk and a CPU delta", async () => {
  let n = 0;
  const readings = [[cpu(100, 400), cpu(100, 400)], [cpu(200, 800), cpu(200, 800)]];
  const sampler = new HostSampler("/tmp", () => readings[Math.min(n++, 1)], 0);
  const s = await sampler.sample();
  assert.equal(s.cpuPercent, 20);
  assert.ok(s.memory && s.memory.totalBytes > 0);
  assert.ok(s.disk && s.disk.totalBytes > s.disk.freeBytes);
});
