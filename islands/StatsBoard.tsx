/** Every running container's cached stats, a countdown to the next refresh, small charts. */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatBytes } from "../lib/shared/format.ts";
import type { StatsSnapshot } from "../lib/shared/stats.ts";
import { api, ApiError } from "./_api.ts";
import Sparkline from "./Sparkline.tsx";

/** Props of StatsBoard: the first snapshot, rendered on the server. */
export type StatsBoardProps = StatsSnapshot;

/** The stats table with manual refresh. */
export default function StatsBoard(props: StatsBoardProps) {
  const snap = useSignal<StatsSnapshot>(props);
  const now = useSignal(Date.now());
  const busy = useSignal(false);
  const error = useSignal("");

  useEffect(() => {
    const tick = setInterval(() => {
      now.value = Date.now();
      const next = snap.value.nextRefreshAt ? Date.parse(snap.value.nextRefreshAt) : 0;
      if (next && now.value > next + 2000 && !busy.value) {
        void api<StatsSnapshot>("GET", "/api/stats").then((s) => snap.value = s).catch(() => {});
      }
    }, 1000);
    return () => clearInterval(tick);
  }, []);

  const refresh = async () => {
    busy.value = true;
    error.value = "";
    try {
      snap.value = await api<StatsSnapshot>("POST", "/api/stats/refresh");
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    } finally {
      busy.value = false;
    }
  };

  const next = snap.value.nextRefreshAt ? Date.parse(snap.value.nextRefreshAt) : undefined;
  const seconds = next ? Math.max(0, Math.round((next - now.value) / 1000)) : undefined;
  return (
    <div class="stats-board">
      <div class="toolbar">
        <button type="button" onClick={refresh} disabled={busy.value}>
          {busy.value ? "Refreshing…" : "Refresh now"}
        </button>
        <span class="muted" data-countdown>
          {snap.value.refreshedAt
            ? `Updated ${snap.value.refreshedAt.slice(11, 19)} UTC · next in ${
              seconds === undefined ? "—" : `${Math.floor(seconds / 60)}m ${seconds % 60}s`
            } (every ${Math.round(snap.value.intervalSeconds / 60)} min)`
            : "Collecting…"}
        </span>
      </div>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Container</th>
            <th>CPU</th>
            <th>Memory</th>
            <th>Net rx / tx</th>
            <th>Block r / w</th>
            <th>PIDs</th>
            <th>CPU history</th>
            <th>Memory history</th>
          </tr>
        </thead>
        <tbody>
          {snap.value.containers.map((c) => {
            const l = c.latest;
            const times = c.history.map((p) => Date.parse(p.time) / 1000);
            return (
              <tr key={c.id} data-stats={c.name}>
                <td class="name">
                  <a href={`/containers/${encodeURIComponent(c.name)}`}>{c.name}</a>
                  {c.error && <span class="error" title={c.error}>!</span>}
                </td>
                <td>{l ? `${l.cpuPercent.toFixed(2)} %` : "—"}</td>
                <td>
                  {l
                    ? `${formatBytes(l.memoryBytes)} / ${formatBytes(l.memoryLimitBytes)} (${
                      l.memoryPercent.toFixed(1)
                    } %)`
                    : "—"}
                </td>
                <td>
                  {l ? `${formatBytes(l.networkRxBytes)} / ${formatBytes(l.networkTxBytes)}` : "—"}
                </td>
                <td>
                  {l ? `${formatBytes(l.blockReadBytes)} / ${formatBytes(l.blockWriteBytes)}` : "—"}
                </td>
                <td>{l?.pids ?? "—"}</td>
                <td>
                  <Sparkline
                    times={times}
                    values={c.history.map((p) => p.cpuPercent)}
                    label="CPU %"
                    color="#58a6ff"
                  />
                </td>
                <td>
                  <Sparkline
                    times={times}
                    values={c.history.map((p) => p.memoryBytes)}
                    label="Memory"
                    color="#3fb950"
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {snap.value.containers.length === 0 && <p class="muted">No running containers.</p>}
    </div>
  );
}

/** Props validation used by the island loader. */
export { StatsSnapshotSchema as propsSchema } from "../lib/shared/stats.ts";
