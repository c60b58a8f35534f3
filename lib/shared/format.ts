/** Formatting helpers for the UI, free of dependencies so any island can use them cheaply. */

/** Human-readable bytes (binary units, like `docker stats`). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024, i++);
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Bytes from a size as Docker and compose write it: `512m`, `1g`, `1.5GB`, `100k`, `64`. */
export function parseDockerSize(text: string | number): number {
  if (typeof text === "number") return text;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)i?b?$/i.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a size like 512m`);
  const mult = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()]!;
  return Math.round(Number(m[1]) * mult);
}

/** A byte count as Docker's flags write it: `512m`, `1g`, or `1234b`. */
export function dockerSize(n: number): string {
  for (const [unit, size] of [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]] as const) {
    if (n % size === 0) return `${n / size}${unit}`;
  }
  return `${n}b`;
}

/** Nanoseconds as a Go duration, as Docker's flags and compose write it: `1m`, `30s`, `500ms`. */
export function goDuration(ns: number): string {
  if (ns % 60e9 === 0) return `${ns / 60e9}m`;
  if (ns % 1e9 === 0) return `${ns / 1e9}s`;
  return `${Math.round(ns / 1e6)}ms`;
}
