/**
 * The containers table: instant filtering, selection with bulk actions (each button enabled
 * only when the selection allows it), and live state from engine events.
 */
import { useComputed, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import {
  ACTION_LABELS,
  actionAllowed,
  type BulkResult,
  CONTAINER_ACTIONS,
  type ContainerAction,
  type ContainerRow,
  type ContainerTableProps,
  formatPort,
} from "../lib/shared/containers.ts";
import { api, ApiError } from "./_api.ts";

/** Renders the table; the filter narrows rows as the user types. */
export default function ContainerTable({ containers, filter: initial }: ContainerTableProps) {
  const rows = useSignal<ContainerRow[]>(containers);
  const filter = useSignal(initial ?? "");
  const selected = useSignal<ReadonlySet<string>>(new Set());
  const live = useSignal(false);
  const busy = useSignal(false);
  const message = useSignal("");
  const errors = useSignal<BulkResult[]>([]);

  const refresh = async () => {
    try {
      rows.value = await api<ContainerRow[]>("GET", "/api/containers");
      const ids = new Set(rows.value.map((r) => r.id));
      selected.value = new Set([...selected.value].filter((id) => ids.has(id)));
    } catch {
      // the banner and the next event retry; keep the last known rows
    }
  };

  useEffect(() => {
    const source = new EventSource("/api/events/stream?type=container");
    let timer: ReturnType<typeof setTimeout> | undefined;
    source.addEventListener("ready", () => {
      live.value = true;
      void refresh(); // catch up on anything missed while connecting
    });
    source.addEventListener("engine-event", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 150);
    });
    source.onerror = () => live.value = false;
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, []);

  const needle = filter.value.trim().toLowerCase();
  // "network:<name>" keeps the containers attached to that network (the Networks page links it).
  const network = /^network:(.+)$/.exec(needle)?.[1];
  const visible = network
    ? rows.value.filter((c) => (c.networks ?? []).some((n) => n.toLowerCase() === network))
    : needle
    ? rows.value.filter((c) =>
      [c.name, c.image, c.state, c.status].some((v) => v.toLowerCase().includes(needle))
    )
    : rows.value;
  const chosen = useComputed(() => rows.value.filter((r) => selected.value.has(r.id)));

  const toggle = (id: string) => {
    const next = new Set(selected.value);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    selected.value = next;
  };
  const allVisibleSelected = visible.length > 0 && visible.every((r) => selected.value.has(r.id));
  const toggleAll = () => {
    selected.value = allVisibleSelected ? new Set() : new Set(visible.map((r) => r.id));
  };

  const bulk = async (action: ContainerAction) => {
    const targets = chosen.value.filter((r) => actionAllowed(action, r.state) && !r.isSelf);
    // PRD containers in the selection are included only when their name is typed; UAT ones
    // ask once.
    const destructive = ["stop", "restart", "kill"].includes(action);
    const confirmNames: string[] = [];
    if (destructive) {
      for (const r of targets.filter((t) => t.environment === "PRD")) {
        const typed = prompt(`${r.name} is tagged PRD. Type its name to ${action} it too:`);
        if (typed === r.name) confirmNames.push(r.name);
      }
      const uat = targets.filter((t) => t.environment === "UAT");
      if (uat.length && !confirm(`${action} ${uat.map((t) => t.name).join(", ")} (UAT)?`)) return;
    }
    busy.value = true;
    message.value = "";
    errors.value = [];
    try {
      const { results } = await api<{ results: BulkResult[] }>("POST", "/api/containers/bulk", {
        action,
        ids: targets.map((r) => r.id),
        ...(confirmNames.length ? { confirm: confirmNames } : {}),
      });
      const failed = results.filter((r) => !r.ok);
      errors.value = failed;
      message.value = `${ACTION_LABELS[action]}: ${
        results.length - failed.length
      } of ${results.length} done`;
    } catch (err) {
      message.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    } finally {
      busy.value = false;
      await refresh();
    }
  };

  const backup = async () => {
    busy.value = true;
    message.value = "";
    errors.value = [];
    try {
      for (const r of chosen.value) await api("POST", "/api/backups", { container: r.id });
      message.value = `Queued ${chosen.value.length} backup(s); follow them on the Backups page`;
    } catch (err) {
      message.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    } finally {
      busy.value = false;
    }
  };

  return (
    <div class="container-table">
      <div class="toolbar">
        <input
          type="search"
          class="filter"
          placeholder="Filter by name, image or state"
          aria-label="Filter containers"
          value={filter.value}
          onInput={(e) => filter.value = e.currentTarget.value}
        />
        <span class={live.value ? "live on" : "live"} title="Live updates from engine events">
          {live.value ? "● live" : "○ connecting"}
        </span>
      </div>
      <div class="bulk row" role="toolbar" aria-label="Bulk actions">
        {CONTAINER_ACTIONS.map((action) => (
          <button
            type="button"
            key={action}
            data-bulk={action}
            disabled={busy.value ||
              !chosen.value.some((r) => actionAllowed(action, r.state) && !r.isSelf)}
            onClick={() => bulk(action)}
          >
            {ACTION_LABELS[action]}
          </button>
        ))}
        <button
          type="button"
          data-bulk="backup"
          disabled={busy.value || chosen.value.length === 0}
          onClick={backup}
        >
          Back up
        </button>
        <span class="muted">{chosen.value.length} selected</span>
      </div>
      {message.value && <p class="muted" role="status">{message.value}</p>}
      {errors.value.length > 0 && (
        <ul class="error" role="alert">
          {errors.value.map((e) => <li key={e.id}>{e.name ?? e.id}: {e.error}</li>)}
        </ul>
      )}
      <p class="muted count">{visible.length} of {rows.value.length} containers</p>
      <table>
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select all shown"
                checked={allVisibleSelected}
                onChange={toggleAll}
              />
            </th>
            <th>Name</th>
            <th>Image</th>
            <th>State</th>
            <th>Status</th>
            <th>Ports</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {visible.map((c) => (
            <tr key={c.id} data-container={c.name} data-state={c.state}>
              <td class="select">
                <input
                  type="checkbox"
                  aria-label={`Select ${c.name}`}
                  checked={selected.value.has(c.id)}
                  onChange={() => toggle(c.id)}
                />
              </td>
              <td class="name">
                <a href={`/containers/${encodeURIComponent(c.name)}`}>{c.name}</a>
                {c.isSelf && <span class="badge" title="This is Bosun itself">Bosun</span>}
                {c.environment && (
                  <span class={`badge env-${c.environment}`} data-environment={c.environment}>
                    {c.environment}
                  </span>
                )}
              </td>
              <td class="image">{c.image}</td>
              <td>
                <span class={`state state-${c.state}`}>{c.state}</span>
              </td>
              <td>{c.status}</td>
              <td class="ports">{c.ports.map(formatPort).join(", ")}</td>
              <td>
                <time dateTime={c.created}>{c.created.slice(0, 16).replace("T", " ")}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {visible.length === 0 && <p class="muted">No containers match.</p>}
    </div>
  );
}

/** Props validation used by the island loader. */
export { ContainerTablePropsSchema as propsSchema } from "../lib/shared/containers.ts";
