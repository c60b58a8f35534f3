/** The dashboard: engine overview, host figures, recent engine events. */
import type { EngineEvent } from "../../lib/docker/events.ts";
import type { EngineOverview } from "../../lib/shared/engine.ts";
import type { HostStats } from "../../lib/shared/host.ts";
import { formatBytes } from "../../lib/shared/format.ts";

/** Props of Dashboard. */
export interface DashboardProps {
  engine: EngineOverview;
  host: HostStats;
  events: EngineEvent[];
  /** The soonest scheduled backup, if any schedule is enabled. */
  nextBackup?: { name: string; at: string } | null;
  /** Image updates: how many are available, and when the last check ran. */
  updates?: { available: number; lastCheck: number | null };
  /** The host's hardware profile and container budget. */
  hardware?: { profile: string; budget: number | null; cores: number; memoryBytes: number };
}

/** Cards of counts, a host summary and the ten newest events. */
export function Dashboard(
  { engine: e, host: h, events, nextBackup, updates, hardware }: DashboardProps,
) {
  const memUsed = h.memory ? h.memory.totalBytes - h.memory.availableBytes : 0;
  return (
    <div class="dashboard">
      <dl class="stats">
        <div>
          <dt>Containers</dt>
          <dd data-count="containers">{e.containers.total}</dd>
        </div>
        <div>
          <dt>Running</dt>
          <dd data-count="running">{e.containers.running}</dd>
        </div>
        <div>
          <dt>Paused</dt>
          <dd data-count="paused">{e.containers.paused}</dd>
        </div>
        <div>
          <dt>Stopped</dt>
          <dd data-count="stopped">{e.containers.stopped}</dd>
        </div>
        <div>
          <dt>Images</dt>
          <dd data-count="images">{e.images}</dd>
        </div>
        <div>
          <dt>Volumes</dt>
          <dd data-count="volumes">{e.volumes}</dd>
        </div>
        <div>
          <dt>Networks</dt>
          <dd data-count="networks">{e.networks}</dd>
        </div>
      </dl>
      <h2>Host</h2>
      <dl class="stats">
        <div>
          <dt>CPU ({h.cpus} cores)</dt>
          <dd>{h.cpuPercent === null ? "—" : `${Math.round(h.cpuPercent)} %`}</dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>
            {h.memory ? `${formatBytes(memUsed)} / ${formatBytes(h.memory.totalBytes)}` : "—"}
          </dd>
        </div>
        <div>
          <dt>Load</dt>
          <dd>{h.loadAverage.map((l) => l.toFixed(2)).join(" ")}</dd>
        </div>
        <div>
          <dt>Disk free ({h.disk?.path ?? "data"})</dt>
          <dd>
            {h.disk ? `${formatBytes(h.disk.freeBytes)} / ${formatBytes(h.disk.totalBytes)}` : "—"}
          </dd>
        </div>
      </dl>
      <p class="muted">
        Docker {e.serverVersion} (API {e.apiVersion}) · {e.storageDriver} storage ·{" "}
        {e.operatingSystem} · kernel {e.kernelVersion}
      </p>
      <p data-next-backup>
        Next scheduled backup: {nextBackup
          ? (
            <>
              <strong>{nextBackup.name}</strong> at{" "}
              <time dateTime={nextBackup.at}>
                {nextBackup.at.replace("T", " ").slice(0, 16)} UTC
              </time>
            </>
          )
          : <a href="/schedules">none — add a schedule</a>}
      </p>
      {hardware && (
        <p data-hardware>
          Hardware profile: <strong>{hardware.profile}</strong> ({hardware.cores} cores,{" "}
          {formatBytes(hardware.memoryBytes)}) · {e.containers.total} containers
          {hardware.budget !== null ? ` of a budget of ${hardware.budget}` : " (no budget)"}
          {hardware.budget !== null && e.containers.total >= 0.8 * hardware.budget && (
            <span class="warning">— near the budget</span>
          )}
        </p>
      )}
      {updates && (
        <p data-updates>
          Image updates:{" "}
          <a href="/updates">
            {updates.available} available
          </a>{" "}
          <span class="muted">
            (last check {updates.lastCheck
              ? new Date(updates.lastCheck).toISOString().replace("T", " ").slice(0, 16) + " UTC"
              : "not yet"})
          </span>
        </p>
      )}
      <h2>Recent events</h2>
      {events.length
        ? (
          <ul class="events-list">
            {events.map((ev) => (
              <li key={`${ev.timeNano}-${ev.id}-${ev.action}`}>
                <time dateTime={new Date(ev.time * 1000).toISOString()}>
                  {new Date(ev.time * 1000).toISOString().slice(11, 19)}
                </time>{" "}
                <span class={`action action-${ev.action.split(":")[0]}`}>{ev.action}</span>{" "}
                {ev.type} <strong>{ev.name || ev.id.slice(0, 12)}</strong>
              </li>
            ))}
          </ul>
        )
        : <p class="muted">No events in the last 24 hours.</p>}
      <p>
        <a href="/events">All events</a>
      </p>
    </div>
  );
}
