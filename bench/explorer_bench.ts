/**
 * The volume explorer's folder listing (it reads the folder's archive stream, headers only,
 * summing folder sizes) against `docker cp <container>:/data - > /dev/null`, which reads
 * the same archive stream: ratio of medians, interleaved in one process. Also Bosun's peak
 * RSS while listing. Run with the native Deno binary.
 */
import { docker, setupAndLogin, startBosun } from "../tests/_harness.ts";
import { bosunPid, median, memory, resetPeak } from "./_util.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS_EXPLORER") ?? 5);
const MIB = Number(Deno.env.get("BENCH_EXPLORER_MIB") ?? 512);

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Lists a volume of MIB MiB in two big files plus 5000 small ones; prints the ratio. */
export async function runExplorerBench(): Promise<void> {
  const volume = `bosun-bench-explore-${crypto.randomUUID().slice(0, 6)}`;
  const id = (await docker(
    "run",
    "-d",
    "-v",
    `${volume}:/data`,
    "bosun-test/busybox:latest",
    "sleep",
    "3600",
  )).trim();
  const bosun = await startBosun();
  try {
    await docker(
      "exec",
      id,
      "sh",
      "-c",
      `mkdir -p /data/big /data/small && ` +
        `dd if=/dev/urandom of=/data/big/a bs=1M count=${MIB / 2} 2>/dev/null && ` +
        `dd if=/dev/urandom of=/data/big/b bs=1M count=${MIB / 2} 2>/dev/null && ` +
        `i=0; while [ $i -lt 5000 ]; do echo $i > /data/small/f$i; i=$((i+1)); done`,
    );
    const admin = await setupAndLogin(bosun);
    const pid = await bosunPid(bosun.port);
    const bosunRuns: number[] = [];
    const cpRuns: number[] = [];
    let peak = 0;
    // Bosun's resident memory before listing (the sign-in's argon2 memory stays resident).
    const before = pid ? (await memory(pid)).rss : 0;
    for (let i = 0; i < RUNS; i++) {
      cpRuns.push(
        await time(async () => {
          const out = await new Deno.Command("sh", {
            args: ["-c", `docker cp ${id}:/data - > /dev/null`],
          }).output();
          if (!out.success) throw new Error("docker cp failed");
        }),
      );
      if (pid) await resetPeak(pid);
      bosunRuns.push(
        await time(async () => {
          const r = await admin.json<{ entries: { name: string; size: number }[] }>(
            "GET",
            `/api/volumes/${volume}/files?path=/`,
          );
          const big = r.body.entries.find((e) => e.name === "big");
          if (big?.size !== MIB * 1024 * 1024) {
            throw new Error(`wrong size ${JSON.stringify(r.body)}`);
          }
        }),
      );
      if (pid) peak = Math.max(peak, (await memory(pid)).peak);
    }
    const b = median(bosunRuns);
    const c = median(cpRuns);
    console.log(
      `explorer listing of ${MIB} MiB + 5000 files: bosun ${b.toFixed(0)} ms, docker cp ${
        c.toFixed(0)
      } ms, ratio ${(b / c).toFixed(2)}; Bosun peak RSS ${peak.toFixed(0)} MiB (${
        before.toFixed(0)
      } MiB before listing)`,
    );
  } finally {
    await bosun.stop();
    await docker("rm", "-f", id).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
}

if (import.meta.main) await runExplorerBench();
