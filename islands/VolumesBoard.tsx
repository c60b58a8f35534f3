/**
 * The Volumes page: name, driver, users (running or stopped), labels, created; sizes on
 * request; create; remove one or many (refused while in use, with the users named); prune
 * unused volumes behind a typed confirmation.
 */
import { useSignal } from "@preact/signals";
import { formatBytes } from "../lib/shared/format.ts";
import { api, ApiError, problemText, useActions } from "./_api.ts";
import { Explorer } from "./_explorer.tsx";

interface Volume {
  name: string;
  driver: string;
  createdAt: string | null;
  labels: Record<string, string>;
  usedBy: { name: string; state: string }[];
  anonymous: boolean;
  size: number | null;
}

/** Props of VolumesBoard: the first listing, rendered on the server. */
export interface VolumesBoardProps {
  volumes: Volume[];
}

/** The volumes list with its actions. */
export default function VolumesBoard(props: VolumesBoardProps) {
  const volumes = useSignal(props.volumes);
  const selected = useSignal<Set<string>>(new Set());
  const filter = useSignal("");
  const name = useSignal("");
  const { status, error, act } = useActions(() => load());
  const exploring = useSignal<string | null>(null);
  const load = async (sizes = false) => {
    volumes.value = await api<Volume[]>("GET", `/api/volumes?sizes=${sizes}`)
      .catch((err) => (error.value = problemText(err), volumes.value));
  };
  const needle = filter.value.trim().toLowerCase();
  const shown = volumes.value.filter((v) => !needle || v.name.toLowerCase().includes(needle));
  const chosen = shown.filter((v) => selected.value.has(v.name));
  return (
    <div class="volumes">
      <div class="toolbar row">
        <input
          type="search"
          aria-label="Filter volumes"
          placeholder="Filter volumes"
          value={filter.value}
          onInput={(e) => filter.value = e.currentTarget.value}
        />
        <button type="button" onClick={() => load(true)}>Show sizes</button>
        <form
          class="row"
          aria-label="Create a volume"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await api("POST", "/api/volumes", { name: name.value });
              const created = name.value;
              name.value = "";
              return `Created ${created}`;
            });
          }}
        >
          <input
            name="name"
            placeholder="new volume name"
            required
            pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
            value={name.value}
            onInput={(e) => name.value = e.currentTarget.value}
          />
          <button type="submit">Create</button>
        </form>
        <button
          type="button"
          data-bulk="remove"
          disabled={!chosen.length}
          onClick={() =>
            confirm(`Remove ${chosen.length} volume(s)? Their data is lost.`) &&
            act(async () => {
              const r = await api<{ name: string; ok: boolean; error?: string }[]>(
                "POST",
                "/api/volumes/bulk-remove",
                { names: chosen.map((v) => v.name) },
              );
              selected.value = new Set();
              const failed = r.filter((x) => !x.ok);
              if (failed.length) throw new ApiError(409, failed.map((f) => f.error).join("; "));
              return `Removed ${r.length} volume(s)`;
            })}
        >
          Remove selected
        </button>
        <button
          type="button"
          class="danger"
          onClick={() => {
            const typed = prompt('Type "prune volumes" to remove every volume no container uses');
            if (typed === null) return;
            void act(async () => {
              const r = await api<{ deleted: string[]; spaceReclaimed: number }>(
                "POST",
                "/api/volumes/prune",
                { confirm: typed },
              );
              return `Pruned ${r.deleted.length} volume(s), ${formatBytes(r.spaceReclaimed)}`;
            });
          }}
        >
          Prune unused…
        </button>
      </div>
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {exploring.value && (
        <Explorer
          volume={exploring.value}
          onClose={() => exploring.value = null}
        />
      )}
      <table>
        <thead>
          <tr>
            <th></th>
            <th>Name</th>
            <th>Driver</th>
            <th>Used by</th>
            <th>Size</th>
            <th>Created</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((v) => (
            <tr key={v.name} data-volume={v.name}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${v.name}`}
                  checked={selected.value.has(v.name)}
                  onChange={(e) => {
                    const next = new Set(selected.value);
                    if (e.currentTarget.checked) next.add(v.name);
                    else next.delete(v.name);
                    selected.value = next;
                  }}
                />
              </td>
              <td>
                <code>{v.anonymous ? `${v.name.slice(0, 12)}…` : v.name}</code>
                {v.anonymous && <span class="badge">anonymous</span>}
              </td>
              <td>{v.driver}</td>
              <td data-used-by>
                {v.usedBy.length
                  ? v.usedBy.map((u) => `${u.name} (${u.state})`).join(", ")
                  : <span class="muted">unused</span>}
              </td>
              <td>{v.size === null ? "—" : formatBytes(v.size)}</td>
              <td>{v.createdAt?.replace("T", " ").slice(0, 16) ?? ""}</td>
              <td class="actions">
                <button type="button" data-explore onClick={() => exploring.value = v.name}>
                  Explore
                </button>
                <button
                  type="button"
                  class="danger"
                  disabled={v.usedBy.length > 0}
                  title={v.usedBy.length ? "in use" : ""}
                  onClick={() =>
                    confirm(`Remove the volume ${v.name}? Its data is lost.`) &&
                    act(async () => {
                      await api("DELETE", `/api/volumes/${encodeURIComponent(v.name)}`);
                      return `Removed ${v.name}`;
                    })}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p class="muted">No volumes.</p>}
    </div>
  );
}
