/** Formatting helpers for the UI, free of dependencies so any island can use them cheaply. */

/** Human-readable bytes (binary units, like `docker stats`). */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024, i++);
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
