/**
 * Host CPU, memory and disk, read cheaply from `os.cpus()` times, `Deno.systemMemoryInfo()`
 * and `statfs` of the data directory (Deno grants `/proc` reads only with --allow-all, so
 * these `--allow-sys` APIs are used). CPU % is the busy share since the previous reading.
 */
import { statfs } from "node:fs/promises";
import os from "node:os";
import type { HostStats } from "../shared/host.ts";

interface CpuTimes {
  idle: number;
  total: number;
}

/** Per-CPU times as `os.cpus()` reports them. */
export type CpuInfo = {
  times: { user: number; nice: number; sys: number; idle: number; irq: number };
};

/** Sums the times of all CPUs. */
export function sumCpuTimes(cpus: CpuInfo[]): CpuTimes | undefined {
  if (!cpus.length) return undefined;
  let idle = 0;
  let total = 0;
  for (const { times: t } of cpus) {
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Busy share between two readings, in percent. */
export function cpuBusyPercent(prev: CpuTimes, next: CpuTimes): number {
  const total = next.total - prev.total;
  if (total <= 0) return 0;
  return Math.round((1 - (next.idle - prev.idle) / total) * 1000) / 10;
}

/** Samples the host; keeps the previous CPU reading for the next delta. */
export class HostSampler {
  #prev?: CpuTimes;
  #cached?: { at: number; value: HostStats };

  constructor(
    private readonly diskPath: string,
    private readonly readCpus: () => CpuInfo[] = () => os.cpus(),
    private readonly minIntervalMs = 1000,
  ) {}

  /** A reading at most `minIntervalMs` old. */
  async sample(): Promise<HostStats> {
    const now = Date.now();
    if (this.#cached && now - this.#cached.at < this.minIntervalMs) return this.#cached.value;
    const value: HostStats = {
      time: new Date(now).toISOString(),
      cpuPercent: await this.#cpu(),
      cpus: navigator.hardwareConcurrency ?? 1,
      loadAverage: safe(() => Deno.loadavg(), [0, 0, 0]),
      memory: safe(() => {
        const m = Deno.systemMemoryInfo();
        return { totalBytes: m.total, availableBytes: m.available };
      }, null),
      disk: await this.#disk(),
    };
    this.#cached = { at: now, value };
    return value;
  }

  async #cpu(): Promise<number | null> {
    const read = () => sumCpuTimes(safe(this.readCpus, []));
    const times = read();
    if (!times) return null;
    const prev = this.#prev;
    this.#prev = times;
    if (!prev) {
      await new Promise((r) => setTimeout(r, 200));
      const again = read();
      if (!again) return null;
      this.#prev = again;
      return cpuBusyPercent(times, again);
    }
    return cpuBusyPercent(prev, times);
  }

  async #disk(): Promise<HostStats["disk"]> {
    try {
      const s = await statfs(this.diskPath);
      return {
        path: this.diskPath,
        totalBytes: s.blocks * s.bsize,
        freeBytes: s.bavail * s.bsize,
      };
    } catch {
      return null;
    }
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
