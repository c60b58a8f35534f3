import assert from "node:assert/strict";
import type { StatsSample } from "../docker/containers.ts";
import { cpuPercent, memoryUsed, toStatsPoint } from "./compute.ts";

const sample = (over: Partial<StatsSample> = {}): StatsSample => ({
  read: "2026-11-24T20:00:01Z",
  pids_stats: { current: 3 },
  cpu_stats: {
    cpu_usage: { total_usage: 2_000_000_000 },
    system_cpu_usage: 20_000_000_000,
    online_cpus: 2,
  },
  precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
  memory_stats: {
    usage: 100 * 2 ** 20,
    limit: 1024 * 2 ** 20,
    stats: { inactive_file: 20 * 2 ** 20 },
  },
  networks: { eth0: { rx_bytes: 100, tx_bytes: 50 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
  blkio_stats: {
    io_service_bytes_recursive: [{ op: "read", value: 10 }, { op: "Write", value: 5 }, {
      op: "Read",
      value: 1,
    }],
  },
  ...over,
});

Deno.test("cpuPercent() follows the docker CLI formula", () => {
  assert.equal(cpuPercent(sample()), 20); // (1e9 / 1e10) × 2 CPUs × 100
  const noPrev = sample({
    precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 },
    cpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 },
  });
  assert.equal(cpuPercent(noPrev), 0);
  const percpu = sample({
    cpu_stats: {
      cpu_usage: { total_usage: 2_000_000_000, percpu_usage: [1, 1, 1, 1] },
      system_cpu_usage: 20_000_000_000,
    },
  });
  assert.equal(cpuPercent(percpu), 40, "falls back to the per-CPU count");
});

Deno.test("memoryUsed() subtracts the inactive page cache (v1 and v2)", () => {
  assert.equal(memoryUsed(sample()), 80 * 2 ** 20);
  assert.equal(
    memoryUsed(sample({ memory_stats: { usage: 1000, stats: { total_inactive_file: 300 } } })),
    700,
  );
  assert.equal(memoryUsed(sample({ memory_stats: { usage: 1000 } })), 1000);
});

Deno.test("toStatsPoint() sums networks and block I/O", () => {
  const p = toStatsPoint(sample());
  assert.deepEqual(
    [p.networkRxBytes, p.networkTxBytes, p.blockReadBytes, p.blockWriteBytes, p.pids],
    [101, 52, 11, 5, 3],
  );
  assert.equal(p.memoryPercent, 7.81);
});
