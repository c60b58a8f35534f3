/**
 * The Deno permission flags of the sandboxed server, for `deno task start` (scoped to the
 * chosen data directory) — the compile task bakes the same set with fixed roots.
 */

/**
 * Files outside the data directory the server reads. Deno refuses `/proc` and `/sys` to
 * anything short of `--allow-all`, so host figures come from `--allow-sys` APIs instead.
 */
export const HOST_FILES: string[] = [];
/** Environment variables Bosun reads. */
/** (`npm:yaml` reads LOG_TOKENS and LOG_STREAM, its debug switches, when it parses.) */
export const ENV_VARS = "BOSUN_*,DOCKER_*,TZ,LOG_TOKENS,LOG_STREAM";
/** System information Bosun reads. */
export const SYS_INFO = "hostname,networkInterfaces,systemMemoryInfo,osRelease,loadavg,statfs,cpus";

/**
 * Files of the source tree the server reads at run time; `deno task compile` embeds the same
 * ones with `--include` (a compiled binary reads its embedded files without a grant).
 */
export const EMBEDDED = ["static", "lib/auth/_argon2_worker.ts"];

/** Flags granting exactly the data directory, the Docker socket and the given extra reads. */
export function sandboxFlags(
  options: { dataDir: string; socketPath?: string; root: string; extraReads?: string[] },
): string[] {
  const reads = [
    options.dataDir,
    ...EMBEDDED.map((p) => options.root + p),
    ...HOST_FILES,
    ...(options.extraReads ?? []),
  ];
  const writes = [options.dataDir];
  if (options.socketPath) (reads.push(options.socketPath), writes.push(options.socketPath));
  return [
    `--allow-read=${reads.join(",")}`,
    `--allow-write=${writes.join(",")}`,
    "--allow-net",
    `--allow-env=${ENV_VARS}`,
    `--allow-sys=${SYS_INFO}`,
  ];
}
