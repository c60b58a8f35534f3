/**
 * `deno task bench`: every benchmark, as ratios against baselines run in the same process.
 * Run it with the native Deno binary (scripts/test_env.sh puts it on PATH), not the npm
 * wrapper.
 */
import { runContainersBench } from "./containers_bench.ts";
import { runLogBench } from "./logs_bench.ts";
import { runBackupBench } from "./backup_bench.ts";
import { runS3Bench } from "./s3_bench.ts";
import { runExplorerBench } from "./explorer_bench.ts";

console.log(`deno ${Deno.version.deno} at ${Deno.execPath()}`);
for (const count of [100, 200]) await runContainersBench(count);
await runLogBench();
await runBackupBench();
await runS3Bench();
await runExplorerBench();
