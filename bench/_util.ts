/** Shared helpers of the benchmarks: medians, percentiles, a process's memory. */

/** The median of `values`. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The pid of the Bosun test server listening on `port`. */
export async function bosunPid(port: number): Promise<string | undefined> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    if (cmdline.includes("main.ts") && cmdline.includes(`--port\0${port}\0`)) return entry.name;
  }
  return undefined;
}

/** Current and peak resident memory of `pid`, in MiB. */
export async function memory(pid: string): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Resets the kernel's peak-RSS counter of `pid` (Linux `clear_refs` 5). */
export async function resetPeak(pid: string): Promise<void> {
  await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
}
