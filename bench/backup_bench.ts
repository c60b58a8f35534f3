/**
 * Backup and restore against what a user would do by hand, on the same engine, in one run:
 * zstd backup vs `docker cp | zstd -3`, gzip backup vs busybox `tar -czf`, restore vs busybox
 * `tar -xzf`, a volume of many small files, and Bosun's peak RSS for 256 MiB vs 2 GiB.
 */
import {
  type Client,
  docker,
  setupAndLogin,
  startBosun,
  TestContainers,
} from "../tests/_harness.ts";
import { bosunPid, memory, resetPeak } from "./_util.ts";

const GIB = 1024;

async function sh(script: string): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command("sh", { args: ["-c", script], stderr: "piped" }).output();
  if (!out.success) throw new Error(`${script}: ${new TextDecoder().decode(out.stderr)}`);
  return (performance.now() - start) / 1000;
}

async function fill(container: string, mib: number): Promise<void> {
  const half = Math.floor(mib / 2);
  await docker(
    "exec",
    container,
    "sh",
    "-c",
    `dd if=/dev/urandom of=/data/random.bin bs=1048576 count=${half} 2>/dev/null && ` +
      `yes 'GET /api/items?page=42 200 1234 "Mozilla/5.0 (X11; Linux x86_64)" 0.012s' | ` +
      `head -c ${(mib - half) * 1048576} > /data/text.log`,
  );
}

async function timedBackup(
  admin: Client,
  container: string,
  compression: "gzip" | "zstd",
): Promise<{ seconds: number; file: string }> {
  const start = performance.now();
  const r = await admin.json<{ status: string; file: string; error: string }>(
    "POST",
    "/api/backups?wait=true",
    { container, compression },
  );
  if (r.body.status !== "complete") throw new Error(`backup failed: ${r.body.error}`);
  return { seconds: (performance.now() - start) / 1000, file: r.body.file };
}

/** Runs the backup benchmarks and prints their figures. */
export async function runBackupBench(): Promise<void> {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const pid = (await bosunPid(bosun.port))!;
  const vault = `${bosun.dataDir}/backups`;
  const work = await Deno.makeTempDir({ prefix: "bosun-bench-" });
  // Named with the run id, restored copies too: the containers' disposal removes them all.
  const volume = (name: string) => `bt-${containers.runId}-${name}`;
  try {
    const lines: string[] = [];
    // First, on a fresh Bosun: what one backup costs. Memory the steps below take (a restore,
    // 200,000 small files) is not given back to the system, so it would hide this figure.
    for (const mib of [256, 2 * GIB]) {
      const v = volume(`rss${mib}`);
      const r = await containers.create(`rss${mib}`, { args: ["-v", `${v}:/data`] });
      await fill(r, mib);
      const before = (await memory(pid)).rss;
      await resetPeak(pid);
      const run = await timedBackup(admin, r, "zstd");
      lines.push(
        `backup of ${mib} MiB (zstd): ${run.seconds.toFixed(1)} s, Bosun peak RSS ` +
          `${(await memory(pid)).peak.toFixed(1)} MiB (target ≤ 150, flat with size; ` +
          `${before.toFixed(1)} MiB before)`,
      );
      await Deno.remove(`${vault}/${run.file}`).catch(() => {});
    }
    const big = volume("1g");
    const c = await containers.create("big", { args: ["-v", `${big}:/data`] });
    await fill(c, GIB);

    const zBase = await sh(`docker cp ${c}:/data - | zstd -3 -q > ${work}/base.tar.zst`);
    const zOurs = await timedBackup(admin, c, "zstd");
    lines.push(
      `zstd backup of 1 GiB: ${zOurs.seconds.toFixed(2)} s vs docker cp | zstd -3 ` +
        `${zBase.toFixed(2)} s → ratio ${(zOurs.seconds / zBase).toFixed(2)} (target ≤ 1.2)`,
    );

    const gBase = await sh(
      `docker run --rm -v ${big}:/data bosun-test/busybox tar -czf - /data > ${work}/base.tar.gz`,
    );
    const gOurs = await timedBackup(admin, c, "gzip");
    lines.push(
      `gzip backup of 1 GiB: ${gOurs.seconds.toFixed(2)} s vs busybox tar -czf ` +
        `${gBase.toFixed(2)} s → ratio ${(gOurs.seconds / gBase).toFixed(2)} (target ≤ 0.7)`,
    );

    const fresh = volume("fresh");
    const rBase = await sh(
      `docker run --rm -i -v ${fresh}:/data bosun-test/busybox tar -xzf - -C / < ${work}/base.tar.gz`,
    );
    const restoreBefore = (await memory(pid)).rss;
    await resetPeak(pid);
    const restoreStart = performance.now();
    const restored = await admin.json(
      "POST",
      `/api/backups/${gOurs.file}/restore`,
      { name: `bt-${containers.runId}-restored`, start: false, force: true },
    );
    const rOurs = (performance.now() - restoreStart) / 1000;
    if (restored.status !== 200) {
      throw new Error(`restore failed: ${JSON.stringify(restored.body)}`);
    }
    lines.push(
      `restore of 1 GiB (gzip, forced: safety scan + restore): ${rOurs.toFixed(2)} s vs ` +
        `busybox tar -xzf ${rBase.toFixed(2)} s → ratio ${(rOurs / rBase).toFixed(2)} ` +
        `(target ≤ 1.0); Bosun peak RSS ${(await memory(pid)).peak.toFixed(1)} MiB ` +
        `(${restoreBefore.toFixed(1)} MiB before)`,
    );
    const verifiedStart = performance.now();
    const normal = await admin.json(
      "POST",
      `/api/backups/${gOurs.file}/restore`,
      { name: `bt-${containers.runId}-restored2`, start: false },
    );
    const rNormal = (performance.now() - verifiedStart) / 1000;
    if (normal.status !== 200) throw new Error(`restore failed: ${JSON.stringify(normal.body)}`);
    lines.push(
      `restore of 1 GiB (gzip, verified first: full re-hash + restore): ${rNormal.toFixed(2)} s ` +
        `→ ratio ${(rNormal / rBase).toFixed(2)}`,
    );

    const small = volume("small");
    const s = await containers.create("small", { args: ["-v", `${small}:/data`] });
    await docker(
      "exec",
      s,
      "sh",
      "-c",
      "cd /data && for d in $(seq 1 200); do mkdir d$d; (cd d$d && for f in $(seq 1 1000); do echo $d-$f > f$f; done); done",
    );
    let before = (await memory(pid)).rss;
    await resetPeak(pid);
    const smallRun = await timedBackup(admin, s, "zstd");
    lines.push(
      `200,000 small files (zstd): ${smallRun.seconds.toFixed(1)} s, Bosun peak RSS ` +
        `${(await memory(pid)).peak.toFixed(1)} MiB (${before.toFixed(1)} MiB before)`,
    );
    before = (await memory(pid)).rss;
    await resetPeak(pid);
    const verifyStart = performance.now();
    const v = await admin.json<{ ok: boolean; checked: number }>(
      "POST",
      `/api/backups/${smallRun.file}/verify`,
    );
    lines.push(
      `verify of those 200,000 files: ${((performance.now() - verifyStart) / 1000).toFixed(1)} s ` +
        `(ok ${v.body.ok}, ${v.body.checked} checked), Bosun peak RSS ` +
        `${(await memory(pid)).peak.toFixed(1)} MiB (${before.toFixed(1)} MiB before)`,
    );

    console.log(lines.join("\n"));
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await runBackupBench();
