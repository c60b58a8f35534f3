/**
 * Turns the engine's raw stats sample into the figures `docker stats` shows, with the same
 * formulas as the docker CLI (CPU delta over system delta × CPUs; memory without the
 * inactive page cache).
 */
import type { StatsSample } from "../docker/containers.ts";
import type { StatsPoint } from "../shared/stats.ts";

/** CPU % of one sample (0 when there is no previous reading). */
export function cpuPercent(s: StatsSample): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  if (systemDelta <= 0 || cpuDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * cpus * 100;
}

/** Memory in use without the inactive page cache (cgroup v1 and v2), as `docker stats`. */
export function memoryUsed(s: StatsSample): number {
  const usage = s.memory_stats.usage ?? 0;
  const stats = s.memory_stats.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** All figures of one sample. */
export function toStatsPoint(s: StatsSample): StatsPoint {
  const used = memoryUsed(s);
  const limit = s.memory_stats.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) (rx += n.rx_bytes, tx += n.tx_bytes);
  let read = 0;
  let write = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op.toLowerCase();
    if (op === "read") read += e.value;
    else if (op === "write") write += e.value;
  }
  return {
    time: s.read,
    cpuPercent: round(cpuPercent(s)),
    memoryBytes: used,
    memoryLimitBytes: limit,
    memoryPercent: limit > 0 ? round((used / limit) * 100) : 0,
    networkRxBytes: rx,
    networkTxBytes: tx,
    blockReadBytes: read,
    blockWriteBytes: write,
    pids: s.pids_stats?.current ?? 0,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
