/**
 * `deno task bench`: wall time of `GET /api/containers` with 100 containers against
 * `docker ps -a --format '{{json .}}'` on the same engine, as ratios of medians measured
 * in one process (the machines are noisy). Run with the native Deno binary.
 *
 *   bosun/fetch   one HTTP request from this process (keep-alive), the API's own latency
 *   bosun/curl    a `curl` process per request: same shape as running the docker CLI
 *   docker ps     `docker ps -a --format '{{json .}}'` per request (the baseline the issue
 *                 names; note `{{json .}}` makes the CLI ask the engine for sizes)
 *   docker ps/cols  the same columns Bosun returns, without sizes (a stricter baseline)
 *
 * Also prints Bosun's peak RSS (VmHWM) after the runs.
 */
import { docker, setupAndLogin, startBosun } from "../tests/_harness.ts";
import { bosunPid, median, memory } from "./_util.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 30);

async function time(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function createContainers(COUNT: number, label: string): Promise<void> {
  const batch = 10;
  for (let i = 0; i < COUNT; i += batch) {
    await Promise.all(
      Array.from(
        { length: Math.min(batch, COUNT - i) },
        (_, j) =>
          docker(
            "create",
            "--label",
            label,
            "-p",
            `${30000 + i + j}:80`,
            "bosun-test/busybox:latest",
            "sleep",
            "1",
          ),
      ),
    );
  }
}

/** Lists `COUNT` containers through Bosun and through the docker CLI; prints the ratios. */
export async function runContainersBench(COUNT: number): Promise<void> {
  const label = `bosun-bench-run=${crypto.randomUUID().slice(0, 8)}`;
  console.log(`creating ${COUNT} containers…`);
  await createContainers(COUNT, label);
  const bosun = await startBosun();
  try {
    const admin = await setupAndLogin(bosun);
    const { body } = await admin.json<{ token: string }>("POST", "/api/auth/tokens", {
      name: "bench",
    });
    const auth = `Authorization: Bearer ${body.token}`;
    const url = `${bosun.url}/api/containers`;
    const fetchOnce = async () => {
      const res = await fetch(url, { headers: { Authorization: `Bearer ${body.token}` } });
      const rows = await res.json() as unknown[];
      if (rows.length < COUNT) throw new Error(`only ${rows.length} containers listed`);
    };
    const variants: Record<string, () => Promise<void>> = {
      "docker ps": () => run("docker", ["ps", "-a", "--format", "{{json .}}"]),
      "docker ps/cols": () =>
        run("docker", [
          "ps",
          "-a",
          "--no-trunc",
          "--format",
          "{{.ID}} {{.Names}} {{.Image}} {{.State}} {{.Status}} {{.Ports}} {{.CreatedAt}}",
        ]),
      "bosun/fetch": fetchOnce,
      "bosun/curl": () => run("curl", ["-sf", "-H", auth, "-o", "/dev/null", url]),
    };
    for (const fn of Object.values(variants)) for (let i = 0; i < 3; i++) await fn(); // warm-up
    const samples: Record<string, number[]> = {};
    for (let i = 0; i < RUNS; i++) {
      for (const [name, fn] of Object.entries(variants)) {
        (samples[name] ??= []).push(await time(fn));
      }
    }
    const base = median(samples["docker ps"]);
    const strict = median(samples["docker ps/cols"]);
    console.log(`\n${COUNT} containers, ${RUNS} interleaved runs each, medians:`);
    for (const [name, values] of Object.entries(samples)) {
      const m = median(values);
      console.log(
        `  ${name.padEnd(15)} ${m.toFixed(1).padStart(7)} ms   ratio ${(m / base).toFixed(3)}` +
          `   vs cols ${(m / strict).toFixed(3)}`,
      );
    }
    const pid = await bosunPid(bosun.port);
    if (pid) {
      const mem = await memory(pid);
      console.log(`  bosun RSS ${mem.rss.toFixed(1)} MiB, peak ${mem.peak.toFixed(1)} MiB`);
    }
  } finally {
    await bosun[Symbol.asyncDispose]();
    const ids = (await docker("ps", "-aq", "--filter", `label=${label}`)).split("\n").filter(
      Boolean,
    );
    for (let i = 0; i < ids.length; i += 50) await docker("rm", "-f", ...ids.slice(i, i + 50));
  }
}

if (import.meta.main) await runContainersBench(Number(Deno.env.get("BENCH_CONTAINERS") ?? 100));
