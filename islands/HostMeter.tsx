/** Host CPU and memory in the top bar, polled every few seconds while the page is visible. */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatBytes } from "../lib/shared/format.ts";
import type { HostStats } from "../lib/shared/host.ts";
import { api } from "./_api.ts";

const POLL_MS = 5000;

/** `CPU 12 % · RAM 3.1 GiB / 23.5 GiB`. */
export default function HostMeter() {
  const host = useSignal<HostStats | null>(null);
  useEffect(() => {
    const poll = () => {
      if (document.visibilityState !== "visible") return;
      api<HostStats>("GET", "/api/system/host").then((h) => host.value = h).catch(() => {});
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const h = host.value;
  if (!h) return <span class="host-meter muted">…</span>;
  const used = h.memory ? h.memory.totalBytes - h.memory.availableBytes : 0;
  return (
    <span class="host-meter muted" data-host-meter>
      CPU {h.cpuPercent === null ? "—" : `${Math.round(h.cpuPercent)} %`}
      {h.memory && ` · RAM ${formatBytes(used)} / ${formatBytes(h.memory.totalBytes)}`}
    </span>
  );
}
