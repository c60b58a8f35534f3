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

/**
 * V8 settings: a 1 MiB young generation. Streamed chunks are small heap objects holding large
 * off-heap buffers; with the default (16 MiB) young generation V8 collects them only after
 * hundreds of MiB of buffers have piled up, which made a backup's peak memory grow by 150 MiB.
 */
export const V8_FLAGS = "--max-semi-space-size=1";

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
    `--v8-flags=${V8_FLAGS}`,
  ];
}
