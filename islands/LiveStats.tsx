/** A running container's live figures on its page, from the SSE stats stream. */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { z } from "zod";
import { formatBytes } from "../lib/shared/format.ts";
import type { StatsPoint } from "../lib/shared/stats.ts";

/** Props of LiveStats. */
export const LiveStatsPropsSchema = z.object({ id: z.string() });
/** Props of LiveStats. */
export type LiveStatsProps = z.infer<typeof LiveStatsPropsSchema>;

/** CPU, memory, network, block I/O and PIDs, updated about every second. */
export default function LiveStats({ id }: LiveStatsProps) {
  const point = useSignal<StatsPoint | null>(null);
  const ended = useSignal("");
  useEffect(() => {
    const source = new EventSource(`/api/containers/${encodeURIComponent(id)}/stats/stream`);
    source.addEventListener("stats", (e) => {
      point.value = JSON.parse((e as MessageEvent).data) as StatsPoint;
    });
    source.addEventListener("end", (e) => {
      ended.value = (JSON.parse((e as MessageEvent).data) as { reason: string }).reason;
      source.close();
    });
    return () => source.close();
  }, [id]);
  const p = point.value;
  return (
    <div class="live-stats">
      <dl class="stats">
        <div>
          <dt>CPU</dt>
          <dd data-live-cpu>{p ? `${p.cpuPercent.toFixed(1)} %` : "…"}</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>{p ? formatBytes(p.memoryBytes) : "…"}</dd>
        </div>
        <div>
          <dt>Net rx / tx</dt>
          <dd>{p ? `${formatBytes(p.networkRxBytes)} / ${formatBytes(p.networkTxBytes)}` : "…"}</dd>
        </div>
        <div>
          <dt>Block r / w</dt>
          <dd>
            {p ? `${formatBytes(p.blockReadBytes)} / ${formatBytes(p.blockWriteBytes)}` : "…"}
          </dd>
        </div>
        <div>
          <dt>PIDs</dt>
          <dd>{p?.pids ?? "…"}</dd>
        </div>
      </dl>
      {ended.value && <p class="muted" role="status" data-stats-ended>{ended.value}</p>}
    </div>
  );
}

/** Props validation used by the island loader. */
export const propsSchema = LiveStatsPropsSchema;
