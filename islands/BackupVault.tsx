/**
 * The Backups page: live jobs with progress and cancel, the vault with search and sort,
 * verify, download, delete, and a restore dialog (new name, volumes, ports, start).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatBytes } from "../lib/shared/format.ts";
import { api, ApiError } from "./_api.ts";

interface Backup {
  file: string;
  size: number;
  compression: string;
  manifest: {
    server: string;
    created: string;
    type: string;
    container: { name: string; image: string };
    volumes: { name: string; destination: string }[];
  };
}
interface Job {
  id: number;
  container: string;
  status: string;
  error: string | null;
  file: string | null;
  progress?: { bytesIn: number; rateBytesPerSecond: number; member: string };
}

/** Props of BackupVault: the first listing, rendered on the server. */
export interface BackupVaultProps {
  backups: Backup[];
}

/** The vault and the job panel. */
export default function BackupVault(props: BackupVaultProps) {
  const backups = useSignal<Backup[]>(props.backups);
  const jobs = useSignal<Job[]>([]);
  const search = useSignal("");
  const sort = useSignal<"created" | "size" | "container">("created");
  const message = useSignal("");
  const verified = useSignal<Record<string, string>>({});
  const restoring = useSignal<Backup | null>(null);

  const reload = async () => {
    backups.value = await api<Backup[]>("GET", "/api/backups").catch(() => backups.value);
  };

  useEffect(() => {
    const source = new EventSource("/api/backups/jobs/stream");
    source.addEventListener("job", (e) => {
      const job = JSON.parse((e as MessageEvent).data) as Job;
      const others = jobs.value.filter((j) => j.id !== job.id);
      jobs.value = [job, ...others].sort((a, b) => b.id - a.id).slice(0, 10);
      if (job.status === "complete") void reload();
    });
    return () => source.close();
  }, []);

  const act = async (label: string, fn: () => Promise<unknown>) => {
    message.value = "";
    try {
      await fn();
    } catch (err) {
      message.value = `${label}: ${err instanceof ApiError ? err.message : "Bosun did not answer"}`;
    }
  };

  const needle = search.value.trim().toLowerCase();
  const shown = backups.value
    .filter((b) =>
      !needle ||
      [b.file, b.manifest.container.name, b.manifest.server].some((v) =>
        v.toLowerCase().includes(needle)
      )
    )
    .sort((a, b) =>
      sort.value === "size"
        ? b.size - a.size
        : sort.value === "container"
        ? a.manifest.container.name.localeCompare(b.manifest.container.name)
        : b.manifest.created.localeCompare(a.manifest.created)
    );

  return (
    <div class="backup-vault">
      {jobs.value.length > 0 && (
        <section class="jobs">
          <h2>Jobs</h2>
          <ul>
            {jobs.value.map((j) => (
              <li key={j.id} data-job={j.id} data-status={j.status}>
                #{j.id} {j.container.slice(0, 24)} — <strong>{j.status}</strong>
                {j.progress && j.status === "running" && (
                  <span class="muted">
                    {" "}
                    {formatBytes(j.progress.bytesIn)} at{" "}
                    {formatBytes(j.progress.rateBytesPerSecond)}/s
                  </span>
                )}
                {j.error && <span class="error">{j.error}</span>}
                {["queued", "starting", "running"].includes(j.status) && (
                  <button
                    type="button"
                    onClick={() => act("Cancel", () => api("DELETE", `/api/backups/jobs/${j.id}`))}
                  >
                    Cancel
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search backups"
          aria-label="Search backups"
          value={search.value}
          onInput={(e) => search.value = e.currentTarget.value}
        />
        <select
          aria-label="Sort"
          value={sort.value}
          onChange={(e) => sort.value = e.currentTarget.value as typeof sort.value}
        >
          <option value="created">newest first</option>
          <option value="size">largest first</option>
          <option value="container">by container</option>
        </select>
      </div>
      {message.value && <p class="error" role="alert">{message.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Container</th>
            <th>Server</th>
            <th>Created</th>
            <th>Size</th>
            <th>Verified</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((b) => (
            <tr key={b.file} data-backup={b.file}>
              <td>{b.manifest.container.name}</td>
              <td>{b.manifest.server}</td>
              <td>{b.manifest.created.replace("T", " ").slice(0, 19)}</td>
              <td>{formatBytes(b.size)}</td>
              <td data-verified>{verified.value[b.file] ?? "—"}</td>
              <td class="row">
                <button
                  type="button"
                  onClick={() =>
                    act("Verify", async () => {
                      verified.value = { ...verified.value, [b.file]: "checking…" };
                      const r = await api<{ ok: boolean; error?: string }>(
                        "POST",
                        `/api/backups/${b.file}/verify`,
                      );
                      verified.value = {
                        ...verified.value,
                        [b.file]: r.ok ? "✓ ok" : `✕ ${r.error}`,
                      };
                    })}
                >
                  Verify
                </button>
                <button type="button" onClick={() => restoring.value = b}>Restore…</button>
                <a href={`/api/backups/${b.file}/download`} download>Download</a>
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    if (!confirm(`Delete the backup ${b.file}?`)) return;
                    void act("Delete", async () => {
                      await api("DELETE", `/api/backups/${b.file}`);
                      await reload();
                    });
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && (
        <p class="muted">No backups yet. Back up containers from the Containers page.</p>
      )}
      {restoring.value && (
        <RestoreDialog
          backup={restoring.value}
          onClose={() => restoring.value = null}
        />
      )}
    </div>
  );
}

function RestoreDialog({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const name = useSignal(`${backup.manifest.container.name}-restored`);
  const start = useSignal(true);
  const modes = useSignal<Record<string, string>>(
    Object.fromEntries(backup.manifest.volumes.map((v) => [v.name, "new"])),
  );
  const ports = useSignal("");
  const result = useSignal("");
  const busy = useSignal(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    busy.value = true;
    result.value = "";
    try {
      const portMap = Object.fromEntries(
        ports.value.split(",").map((p) => p.trim()).filter(Boolean).map((p) => {
          const [container, host] = p.split("=");
          return [container.includes("/") ? container : `${container}/tcp`, Number(host)];
        }),
      );
      const r = await api<{ name: string; volumes: { from: string; to: string }[] }>(
        "POST",
        `/api/backups/${backup.file}/restore`,
        {
          name: name.value,
          start: start.value,
          ports: Object.keys(portMap).length ? portMap : undefined,
          volumes: Object.fromEntries(
            Object.entries(modes.value).map(([k, mode]) => [k, { mode }]),
          ),
        },
      );
      result.value = `Restored as "${r.name}" (${
        r.volumes.map((v) => `${v.from} → ${v.to}`).join(", ") || "no volumes"
      })`;
    } catch (err) {
      result.value = err instanceof ApiError ? err.message : "Bosun did not answer";
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="dialog auth-form" onSubmit={submit} aria-label="Restore">
      <h3>Restore {backup.manifest.container.name}</h3>
      <label>
        Container name
        <input
          value={name.value}
          required
          pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
          onInput={(e) => name.value = e.currentTarget.value}
        />
      </label>
      {backup.manifest.volumes.map((v) => (
        <label key={v.name}>
          Volume {v.name} ({v.destination})
          <select
            value={modes.value[v.name]}
            onChange={(e) => modes.value = { ...modes.value, [v.name]: e.currentTarget.value }}
          >
            <option value="new">restore into a new volume</option>
            <option value="overwrite">overwrite the existing volume</option>
            <option value="skip">skip</option>
          </select>
        </label>
      ))}
      <label>
        Port overrides (e.g. 80=8081, 443/tcp=8443)
        <input value={ports.value} onInput={(e) => ports.value = e.currentTarget.value} />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={start.value}
          onChange={(e) => start.value = e.currentTarget.checked}
        />{" "}
        start it after restoring
      </label>
      {result.value && <p role="status">{result.value}</p>}
      <div class="row">
        <button type="submit" disabled={busy.value}>{busy.value ? "Restoring…" : "Restore"}</button>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}
