/**
 * Log streaming: (1) latency from a line written in a container to its arrival over SSE,
 * measured against the engine's own receive timestamp; (2) following a container that
 * writes 20,000 lines/s for 10 s: every line must arrive, in order, and Bosun's peak RSS
 * during the follow is reported (target ≤ 120 MiB).
 */
import { setupAndLogin, startBosun, TestContainers } from "../tests/_harness.ts";
import { sseEvents } from "../tests/_sse_client.ts";
import { bosunPid, median, memory, percentile, resetPeak } from "./_util.ts";

type Line = { text: string; time?: string };

/** The line batches of a logs stream, until its `end` event. */
async function* sseLines(res: Response): AsyncGenerator<{ lines: Line[] }> {
  for await (const { event, data } of sseEvents(res)) {
    if (event === "lines") yield { lines: data as Line[] };
    else if (event === "end") return;
  }
}

/** Runs both log benchmarks and prints their figures. */
export async function runLogBench(): Promise<void> {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const { body } = await admin.json<{ token: string }>("POST", "/api/auth/tokens", { name: "b" });
  const headers = { Authorization: `Bearer ${body.token}` };
  const pid = (await bosunPid(bosun.port))!;

  // (1) latency: one line every 50 ms for 10 s.
  const ticker = await containers.create("latency", {
    command: ["sh", "-c", "i=0; while [ $i -lt 200 ]; do i=$((i+1)); echo l$i; sleep 0.05; done"],
  });
  const res = await fetch(
    `${bosun.url}/api/containers/${ticker}/logs/stream?tail=0&timestamps=true`,
    { headers },
  );
  const latencies: number[] = [];
  for await (const { lines } of sseLines(res)) {
    const now = Date.now();
    for (const l of lines) if (l.time) latencies.push(now - Date.parse(l.time));
  }
  console.log(
    `log line → SSE latency over ${latencies.length} lines: median ${
      median(latencies).toFixed(1)
    } ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );

  // (2) throughput: 2,000 numbered lines every 0.1 s for 10 s = 200,000 lines.
  const before = await memory(pid);
  await resetPeak(pid);
  const flood = await containers.create("flood", {
    command: [
      "sh",
      "-c",
      "sleep 1; i=0; while [ $i -lt 100 ]; do seq $((i*2000+1)) $((i*2000+2000)); i=$((i+1)); sleep 0.1; done",
    ],
  });
  const started = performance.now();
  const follow = await fetch(`${bosun.url}/api/containers/${flood}/logs/stream?tail=all`, {
    headers,
  });
  let expected = 1;
  let outOfOrder = 0;
  let maxRss = 0;
  const sampler = setInterval(async () => {
    maxRss = Math.max(maxRss, (await memory(pid).catch(() => ({ rss: 0 }))).rss);
  }, 100);
  for await (const { lines } of sseLines(follow)) {
    for (const l of lines) {
      if (Number(l.text) !== expected) outOfOrder++;
      expected = Number(l.text) + 1;
    }
  }
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const after = await memory(pid);
  console.log(
    `follow 20,000 lines/s × 10 s: ${expected - 1} of 200000 lines, ${outOfOrder} out of order, ` +
      `${seconds.toFixed(1)} s; Bosun RSS before ${before.rss.toFixed(1)} MiB, ` +
      `peak during follow ${after.peak.toFixed(1)} MiB (sampled max ${maxRss.toFixed(1)} MiB)`,
  );
}

if (import.meta.main) await runLogBench();
