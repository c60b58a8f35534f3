/**
 * The audit log page: counts (total, 24 hours, 7 days, failures), filters by operation,
 * result, container or file, and date range, pages of 100 with "older", and clearing the log
 * behind a typed confirmation (the clearing itself is recorded).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, problemText } from "./_api.ts";

interface Row {
  id: number;
  time: string;
  action: string;
  target: string | null;
  result: string;
  error: string | null;
  user: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

/** Props of AuditLog. */
export interface AuditLogProps {
  stats: Record<string, number>;
}

const AREAS = [
  ["", "every operation"],
  ["backup.", "backups, restores, uploads, downloads, verifies"],
  ["backup.retention", "retention clean-up"],
  ["schedule.", "schedules"],
  ["container.", "containers"],
  ["auth.", "sign-ins and sessions"],
  ["settings.", "settings"],
  ["storage.", "storage targets"],
  ["notification.", "notifications"],
  ["security.", "refused requests"],
  ["audit.", "the audit log itself"],
] as const;

/** The audit log with filters and pagination. */
export default function AuditLog(props: AuditLogProps) {
  const stats = useSignal(props.stats);
  const rows = useSignal<Row[]>([]);
  const action = useSignal("");
  const result = useSignal("");
  const target = useSignal("");
  const since = useSignal("");
  const until = useSignal("");
  const more = useSignal(false);
  const error = useSignal("");

  const query = (before?: number) => {
    const q = new URLSearchParams({ limit: "100" });
    if (before) q.set("before", String(before));
    if (action.value) q.set("action", action.value);
    if (result.value) q.set("result", result.value);
    if (target.value.trim()) q.set("target", target.value.trim());
    if (since.value) q.set("since", new Date(since.value).toISOString());
    if (until.value) q.set("until", new Date(`${until.value}T23:59:59`).toISOString());
    return `/api/audit?${q}`;
  };
  const load = async (append = false) => {
    error.value = "";
    try {
      const before = append ? rows.value.at(-1)?.id : undefined;
      const page = await api<Row[]>("GET", query(before));
      rows.value = append ? [...rows.value, ...page] : page;
      more.value = page.length === 100;
      stats.value = await api<Record<string, number>>("GET", "/api/audit/stats");
    } catch (err) {
      error.value = problemText(err);
    }
  };
  useEffect(() => void load(), []);

  return (
    <div class="audit-log">
      <dl class="stats">
        <div>
          <dt>Total</dt>
          <dd data-stat="total">{stats.value.total}</dd>
        </div>
        <div>
          <dt>Last 24 h</dt>
          <dd>{stats.value.last24h}</dd>
        </div>
        <div>
          <dt>Last 7 days</dt>
          <dd>{stats.value.last7d}</dd>
        </div>
        <div>
          <dt>Failures (7 days)</dt>
          <dd>{stats.value.failures7d}</dd>
        </div>
      </dl>
      <form
        class="toolbar row"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <select
          aria-label="Operation"
          value={action.value}
          onChange={(e) => action.value = e.currentTarget.value}
        >
          {AREAS.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
        </select>
        <select
          aria-label="Result"
          value={result.value}
          onChange={(e) => result.value = e.currentTarget.value}
        >
          <option value="">any result</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="denied">denied</option>
        </select>
        <input
          type="search"
          aria-label="Container or file"
          placeholder="container or file"
          value={target.value}
          onInput={(e) => target.value = e.currentTarget.value}
        />
        <input
          type="date"
          aria-label="From"
          value={since.value}
          onInput={(e) => since.value = e.currentTarget.value}
        />
        <input
          type="date"
          aria-label="To"
          value={until.value}
          onInput={(e) => until.value = e.currentTarget.value}
        />
        <button type="submit">Filter</button>
        <button
          type="button"
          class="danger"
          onClick={async () => {
            const typed = prompt('Type "clear the audit log" to delete every row');
            if (typed === null) return;
            try {
              await api("DELETE", "/api/audit", { confirm: typed });
              await load();
            } catch (err) {
              error.value = problemText(err);
            }
          }}
        >
          Clear…
        </button>
      </form>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Operation</th>
            <th>Target</th>
            <th>Result</th>
            <th>User</th>
            <th>IP</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {rows.value.map((r) => (
            <tr key={r.id} data-audit={r.action} data-result={r.result}>
              <td>{r.time.replace("T", " ").slice(0, 19)}</td>
              <td>{r.action}</td>
              <td>{r.target ?? ""}</td>
              <td class={r.result === "success" ? "" : "error"}>
                {r.result}
                {r.error ? `: ${r.error}` : ""}
              </td>
              <td>{r.user ?? ""}</td>
              <td title={r.userAgent ?? ""}>{r.ip ?? ""}</td>
              <td>
                <code>{r.details ? JSON.stringify(r.details).slice(0, 160) : ""}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.value.length === 0 && <p class="muted">Nothing recorded matches.</p>}
      {more.value && <button type="button" onClick={() => load(true)}>Older</button>}
    </div>
  );
}
