/**
 * The Backups page: live jobs (progress, rate, current member, ETA, cancel); the vault with
 * search, server filter, sort, checkbox selection and bulk verify / download / delete;
 * per backup preview, verify, restore (volumes, binds, ports, static IPs, start, force),
 * download and download links; upload; delete all; stack and network backups.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatBytes } from "../lib/shared/format.ts";
import { api, problemText } from "./_api.ts";

interface Backup {
  file: string;
  size: number;
  compression: string;
  verified: { ok: boolean; at: string; error: string | null } | null;
  manifest: {
    server: string;
    created: string;
    type: string;
    kind?: string;
    consistency: string;
    container: { name: string; image: string };
    stack?: { project: string; containers: { name: string }[] };
    volumes: { name: string; destination: string; included?: boolean }[];
    binds: { source: string; destination: string; included: boolean }[];
    image: { included: boolean };
  };
}
interface NetworkBackup {
  file?: string;
  server: string;
  created: string;
  network: { name: string; driver: string; ipam: { config: { Subnet?: string }[] } };
}
interface Job {
  id: number;
  container: string;
  status: string;
  error: string | null;
  file: string | null;
  warnings?: string[];
  waitingFor?: string;
  progress?: {
    bytesIn: number;
    rateBytesPerSecond: number;
    member: string;
    etaSeconds?: number;
  };
}

/** Props of BackupVault: the first listing, rendered on the server. */
export interface BackupVaultProps {
  backups: Backup[];
  networks: NetworkBackup[];
}

const ACTIVE = ["queued", "waiting", "starting", "running"];

function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

/** Saves a URL as a download through a temporary link (one file at a time). */
function download(url: string): void {
  const a = document.createElement("a");
  a.href = url;
  a.download = "";
  document.body.append(a);
  a.click();
  a.remove();
}

/** The vault and the job panel. */
export default function BackupVault(props: BackupVaultProps) {
  const backups = useSignal<Backup[]>(props.backups);
  const networks = useSignal<NetworkBackup[]>(props.networks);
  const jobs = useSignal<Job[]>([]);
  const search = useSignal("");
  const server = useSignal("");
  const sort = useSignal<"created" | "size" | "container">("created");
  const selected = useSignal<Set<string>>(new Set());
  const message = useSignal("");
  const status = useSignal("");
  const dialog = useSignal<
    { kind: "restore" | "preview" | "link"; backup: Backup } | null
  >(null);

  const reload = async () => {
    backups.value = await api<Backup[]>("GET", "/api/backups").catch(() => backups.value);
    networks.value = await api<NetworkBackup[]>("GET", "/api/backups/networks")
      .catch(() => networks.value);
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
      message.value = `${label}: ${problemText(err)}`;
    }
  };

  const verify = (file: string) =>
    act("Verify", async () => {
      status.value = `Verifying ${file}…`;
      const r = await api<{ ok: boolean; error?: string }>("POST", `/api/backups/${file}/verify`);
      status.value = r.ok ? `${file}: verified` : `${file}: ${r.error}`;
      await reload();
    });

  const servers = [...new Set(backups.value.map((b) => b.manifest.server))].sort();
  const needle = search.value.trim().toLowerCase();
  const shown = backups.value
    .filter((b) => !server.value || b.manifest.server === server.value)
    .filter((b) =>
      !needle ||
      [b.file, b.manifest.container.name, b.manifest.server, b.manifest.type].some((v) =>
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
  const chosen = shown.filter((b) => selected.value.has(b.file));
  const toggle = (file: string, on: boolean) => {
    const next = new Set(selected.value);
    if (on) next.add(file);
    else next.delete(file);
    selected.value = next;
  };

  const bulkDownload = async () => {
    for (const [i, b] of chosen.entries()) {
      status.value = `Downloading ${i + 1} of ${chosen.length}: ${b.file}`;
      download(`/api/backups/${b.file}/download`);
      await new Promise((r) => setTimeout(r, 800)); // one after another, as browsers allow
    }
    status.value = `Started ${chosen.length} download(s)`;
  };
  const bulkVerify = async () => {
    for (const [i, b] of chosen.entries()) {
      status.value = `Verifying ${i + 1} of ${chosen.length}: ${b.file}`;
      await api("POST", `/api/backups/${b.file}/verify`).catch(() => {});
    }
    status.value = `Verified ${chosen.length} backup(s)`;
    await reload();
  };
  const bulkDelete = () =>
    act("Delete", async () => {
      if (!confirm(`Delete ${chosen.length} backup(s)? This cannot be undone.`)) return;
      for (const b of chosen) await api("DELETE", `/api/backups/${b.file}`);
      selected.value = new Set();
      await reload();
    });
  const deleteAll = () =>
    act("Delete all", async () => {
      const typed = prompt('Type "delete all backups" to delete every backup in the vault');
      if (typed === null) return;
      const r = await api<{ deleted: number }>("DELETE", "/api/backups", { confirm: typed });
      status.value = `Deleted ${r.deleted} backup(s)`;
      selected.value = new Set();
      await reload();
    });

  return (
    <div class="backup-vault">
      <JobsPanel
        jobs={jobs.value}
        onCancel={(id) => act("Cancel", () => api("DELETE", `/api/backups/jobs/${id}`))}
      />
      <div class="toolbar row">
        <input
          type="search"
          placeholder="Search backups"
          aria-label="Search backups"
          value={search.value}
          onInput={(e) => search.value = e.currentTarget.value}
        />
        <select
          aria-label="Server"
          value={server.value}
          onChange={(e) => server.value = e.currentTarget.value}
        >
          <option value="">all servers</option>
          {servers.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <select
          aria-label="Sort"
          value={sort.value}
          onChange={(e) => sort.value = e.currentTarget.value as typeof sort.value}
        >
          <option value="created">newest first</option>
          <option value="size">largest first</option>
          <option value="container">by container</option>
        </select>
        <Upload
          onDone={(text) => (status.value = text, reload())}
          onError={(t) => message.value = t}
        />
        <button type="button" class="danger" data-action="delete-all" onClick={deleteAll}>
          Delete all…
        </button>
      </div>
      <div class="bulk row">
        <span class="muted">{chosen.length} selected</span>
        <button type="button" data-bulk="verify" disabled={!chosen.length} onClick={bulkVerify}>
          Verify
        </button>
        <button type="button" data-bulk="download" disabled={!chosen.length} onClick={bulkDownload}>
          Download
        </button>
        <button
          type="button"
          class="danger"
          data-bulk="delete"
          disabled={!chosen.length}
          onClick={bulkDelete}
        >
          Delete
        </button>
      </div>
      {message.value && <p class="error" role="alert">{message.value}</p>}
      {status.value && <p class="muted" role="status" data-vault-status>{status.value}</p>}
      <table>
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select all"
                checked={shown.length > 0 && chosen.length === shown.length}
                onChange={(e) =>
                  selected.value = e.currentTarget.checked
                    ? new Set(shown.map((b) => b.file))
                    : new Set()}
              />
            </th>
            <th>Container</th>
            <th>Server</th>
            <th>Type</th>
            <th>Created</th>
            <th>Size</th>
            <th>Verified</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((b) => (
            <tr key={b.file} data-backup={b.file}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select ${b.file}`}
                  checked={selected.value.has(b.file)}
                  onChange={(e) => toggle(b.file, e.currentTarget.checked)}
                />
              </td>
              <td>
                {b.manifest.container.name}
                {b.manifest.kind === "stack" && <span class="badge">stack</span>}
              </td>
              <td>{b.manifest.server}</td>
              <td>{b.manifest.type}</td>
              <td>{b.manifest.created.replace("T", " ").slice(0, 19)}</td>
              <td>{formatBytes(b.size)}</td>
              <td data-verified title={b.verified?.at ?? ""}>
                {b.verified === null
                  ? "—"
                  : b.verified.ok
                  ? "✓ ok"
                  : <span class="error">✕ {b.verified.error}</span>}
              </td>
              <td class="row">
                <button type="button" onClick={() => dialog.value = { kind: "preview", backup: b }}>
                  Preview
                </button>
                <button type="button" onClick={() => verify(b.file)}>Verify</button>
                <button type="button" onClick={() => dialog.value = { kind: "restore", backup: b }}>
                  Restore…
                </button>
                <a href={`/api/backups/${b.file}/download`} download>Download</a>
                <button type="button" onClick={() => dialog.value = { kind: "link", backup: b }}>
                  Link…
                </button>
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
      {dialog.value?.kind === "restore" && (
        <RestoreDialog
          backup={dialog.value.backup}
          onClose={() => dialog.value = null}
        />
      )}
      {dialog.value?.kind === "preview" && (
        <PreviewDialog
          backup={dialog.value.backup}
          onClose={() => dialog.value = null}
        />
      )}
      {dialog.value?.kind === "link" && (
        <LinkDialog
          backup={dialog.value.backup}
          onClose={() => dialog.value = null}
        />
      )}
      <RemoteBackups
        onStatus={(t) => status.value = t}
        onError={(t) => message.value = t}
        local={backups.value.map((b) => b.file)}
      />
      <StackBackup onQueued={(text) => status.value = text} onError={(t) => message.value = t} />
      <NetworkBackups
        list={networks.value}
        reload={reload}
        onStatus={(t) => status.value = t}
        onError={(t) => message.value = t}
      />
    </div>
  );
}

function JobsPanel({ jobs, onCancel }: { jobs: Job[]; onCancel: (id: number) => void }) {
  if (!jobs.length) return null;
  return (
    <section class="jobs" aria-label="Backup jobs">
      <h2>Jobs</h2>
      <ul>
        {jobs.map((j) => (
          <li key={j.id} data-job={j.id} data-status={j.status}>
            #{j.id} {j.container.slice(0, 24)} — <strong>{j.status}</strong>
            {j.status === "waiting" && j.waitingFor && (
              <span class="muted">for a {j.waitingFor} of the same container</span>
            )}
            {j.progress && j.status === "running" && (
              <span class="muted">
                {formatBytes(j.progress.bytesIn)} at {formatBytes(j.progress.rateBytesPerSecond)}/s
                {j.progress.etaSeconds !== undefined &&
                  ` · about ${duration(j.progress.etaSeconds)} left`}
                {j.progress.member && ` · ${j.progress.member.slice(-60)}`}
              </span>
            )}
            {j.error && <span class="error">{j.error}</span>}
            {j.warnings?.map((w) => <span key={w} class="muted">⚠ {w}</span>)}
            {ACTIVE.includes(j.status) && (
              <button type="button" onClick={() => onCancel(j.id)}>Cancel</button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Upload with progress (XMLHttpRequest reports upload progress; fetch does not). */
function Upload(
  { onDone, onError }: { onDone: (t: string) => void; onError: (t: string) => void },
) {
  const progress = useSignal<number | null>(null);
  const send = (file: File) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/backups/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => progress.value = e.lengthComputable ? e.loaded / e.total : null;
    xhr.onload = () => {
      progress.value = null;
      let body: { file?: string; detail?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch { /* not JSON */ }
      if (xhr.status === 201) onDone(`Uploaded and verified: ${body.file}`);
      else onError(`Upload: ${body.detail ?? `refused (${xhr.status})`}`);
    };
    xhr.onerror = () => (progress.value = null, onError("Upload: Bosun did not answer"));
    progress.value = 0;
    xhr.send(file);
  };
  return (
    <label class="upload">
      Upload…
      <input
        type="file"
        accept=".gz,.zst,.json"
        aria-label="Upload a backup"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) send(file);
          e.currentTarget.value = "";
        }}
      />
      {progress.value !== null && <progress value={progress.value} max={1} />}
    </label>
  );
}

function RestoreDialog({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const m = backup.manifest;
  const isStack = m.kind === "stack";
  const name = useSignal(`${m.container.name}-restored`);
  const start = useSignal(true);
  const force = useSignal(false);
  const staticIps = useSignal<"keep" | "drop">("keep");
  const volumes = useSignal<Record<string, { mode: string; target: string }>>(
    Object.fromEntries(
      m.volumes.filter((v) => v.included !== false).map((
        v,
      ) => [v.name, { mode: "new", target: "" }]),
    ),
  );
  const binds = useSignal<Record<string, { mode: string; target: string }>>(
    Object.fromEntries(
      m.binds.filter((b) => b.included).map((b) => [b.source, { mode: "skip", target: "" }]),
    ),
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
      const choice = (c: { mode: string; target: string }) => ({
        mode: c.mode,
        ...(c.target.trim() ? { target: c.target.trim() } : {}),
      });
      const r = await api<{
        containers: { name: string }[];
        volumes: { from: string; to: string }[];
        droppedNetworks: string[];
      }>("POST", `/api/backups/${backup.file}/restore`, {
        ...(isStack ? {} : { name: name.value }),
        start: start.value,
        force: force.value || undefined,
        staticIps: staticIps.value,
        ports: Object.keys(portMap).length ? portMap : undefined,
        volumes: Object.fromEntries(Object.entries(volumes.value).map(([k, c]) => [k, choice(c)])),
        binds: Object.fromEntries(Object.entries(binds.value).map(([k, c]) => [k, choice(c)])),
      });
      result.value = `Restored as ${r.containers.map((c) => `"${c.name}"`).join(", ")} (${
        r.volumes.map((v) => `${v.from} → ${v.to}`).join(", ") || "no volumes"
      })${
        r.droppedNetworks.length
          ? `; networks not on this host: ${r.droppedNetworks.join(", ")}`
          : ""
      }`;
    } catch (err) {
      result.value = problemText(err);
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="dialog auth-form" onSubmit={submit} aria-label="Restore">
      <h3>Restore {m.container.name}</h3>
      {isStack
        ? (
          <p class="muted">
            The stack's containers ({m.stack?.containers.map((c) => c.name).join(", ")}) are
            restored under their own names, with their networks.
          </p>
        )
        : (
          <label>
            Container name
            <input
              name="name"
              value={name.value}
              required
              pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
              onInput={(e) => name.value = e.currentTarget.value}
            />
          </label>
        )}
      {Object.entries(volumes.value).map(([v, c]) => (
        <fieldset key={v} data-volume={v}>
          <legend>Volume {v}</legend>
          <select
            value={c.mode}
            onChange={(e) =>
              volumes.value = { ...volumes.value, [v]: { ...c, mode: e.currentTarget.value } }}
          >
            <option value="new">restore into a new volume</option>
            <option value="overwrite">overwrite the existing volume (recreated empty)</option>
            <option value="skip">skip</option>
          </select>
          <input
            placeholder="volume name (optional)"
            aria-label={`Target volume for ${v}`}
            value={c.target}
            onInput={(e) =>
              volumes.value = { ...volumes.value, [v]: { ...c, target: e.currentTarget.value } }}
          />
        </fieldset>
      ))}
      {Object.entries(binds.value).map(([b, c]) => (
        <fieldset key={b} data-bind={b}>
          <legend>Bind mount {b}</legend>
          <select
            value={c.mode}
            onChange={(e) =>
              binds.value = { ...binds.value, [b]: { ...c, mode: e.currentTarget.value } }}
          >
            <option value="skip">leave the host path as it is</option>
            <option value="restore">write the backup's files to the host</option>
          </select>
          <input
            placeholder={`host path (default ${b})`}
            aria-label={`Host path for ${b}`}
            value={c.target}
            onInput={(e) =>
              binds.value = { ...binds.value, [b]: { ...c, target: e.currentTarget.value } }}
          />
        </fieldset>
      ))}
      {!isStack && (
        <label>
          Port overrides (e.g. 80=8081, 443/tcp=8443)
          <input value={ports.value} onInput={(e) => ports.value = e.currentTarget.value} />
        </label>
      )}
      <label>
        A static IP another container holds
        <select
          value={staticIps.value}
          onChange={(e) => staticIps.value = e.currentTarget.value as "keep" | "drop"}
        >
          <option value="keep">refuse the restore</option>
          <option value="drop">take a free address instead</option>
        </select>
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={start.value}
          onChange={(e) => start.value = e.currentTarget.checked}
        />{" "}
        start after restoring
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={force.value}
          onChange={(e) => force.value = e.currentTarget.checked}
        />{" "}
        restore even if verification fails (damaged archive)
      </label>
      {result.value && <p role="status">{result.value}</p>}
      <div class="row">
        <button type="submit" disabled={busy.value}>{busy.value ? "Restoring…" : "Restore"}</button>
        <button type="button" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}

interface Preview {
  manifest: Backup["manifest"] & { consistency: string };
  trees: Record<string, { path: string; type: string; size: number; linkname?: string }[]>;
  truncated: boolean;
}

function PreviewDialog({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const preview = useSignal<Preview | null>(null);
  const error = useSignal("");
  useEffect(() => {
    api<Preview>("GET", `/api/backups/${backup.file}/preview?limit=2000`)
      .then((p) => preview.value = p, (err) => error.value = problemText(err));
  }, [backup.file]);
  const m = backup.manifest;
  return (
    <section class="dialog preview" aria-label="Preview">
      <h3>{backup.file}</h3>
      <dl>
        <dt>Server</dt>
        <dd>{m.server}</dd>
        <dt>Consistency</dt>
        <dd>{m.consistency}</dd>
        <dt>Image</dt>
        <dd>{m.container.image || "—"}{m.image.included ? " (included)" : ""}</dd>
        <dt>Volumes</dt>
        <dd>
          {m.volumes.map((v) =>
            `${v.name} → ${v.destination}${v.included === false ? " (left out)" : ""}`
          )
            .join(", ") || "none"}
        </dd>
        <dt>Bind mounts</dt>
        <dd>
          {m.binds.map((b) => `${b.source} → ${b.destination}${b.included ? "" : " (left out)"}`)
            .join(", ") || "none"}
        </dd>
      </dl>
      {error.value && <p class="error">{error.value}</p>}
      {!preview.value && !error.value && <p class="muted">Reading the archive…</p>}
      {preview.value &&
        Object.entries(preview.value.trees).map(([tree, entries]) => (
          <details key={tree} open data-tree={tree}>
            <summary>{tree} ({entries.length} entries)</summary>
            <ul class="tree">
              {entries.map((e) => (
                <li key={e.path}>
                  <code>{e.path}</code>{" "}
                  <span class="muted">
                    {e.type === "file" ? formatBytes(e.size) : e.type}
                    {e.linkname ? ` → ${e.linkname}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          </details>
        ))}
      {preview.value?.truncated && <p class="muted">Only the first 2000 entries are listed.</p>}
      <button type="button" onClick={onClose}>Close</button>
    </section>
  );
}

interface Link {
  id: string;
  file: string;
  expiresAt: string;
  active: boolean;
}

function LinkDialog({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const hours = useSignal(24);
  const created = useSignal("");
  const links = useSignal<Link[]>([]);
  const error = useSignal("");
  const load = async () => {
    links.value = (await api<Link[]>("GET", "/api/backups/links").catch(() => []))
      .filter((l) => l.file === backup.file && l.active);
  };
  useEffect(() => void load(), [backup.file]);
  const create = async (e: Event) => {
    e.preventDefault();
    error.value = "";
    try {
      const link = await api<{ path: string }>("POST", `/api/backups/${backup.file}/links`, {
        expiresInHours: hours.value,
      });
      created.value = `${location.origin}${link.path}`;
      await load();
    } catch (err) {
      error.value = problemText(err);
    }
  };
  return (
    <form class="dialog auth-form" aria-label="Download link" onSubmit={create}>
      <h3>Download link for {backup.manifest.container.name}</h3>
      <p class="muted">
        Anyone with the link can download this one file without signing in, until it expires or you
        revoke it. It is shown once.
      </p>
      <label>
        Valid for (hours)
        <input
          type="number"
          min="0.1"
          max="720"
          step="0.1"
          value={hours.value}
          onInput={(e) => hours.value = Number(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Create link</button>
      {created.value && (
        <p role="status">
          <code data-link>{created.value}</code>{" "}
          <button type="button" onClick={() => navigator.clipboard?.writeText(created.value)}>
            Copy
          </button>
        </p>
      )}
      {error.value && <p class="error">{error.value}</p>}
      {links.value.length > 0 && (
        <ul>
          {links.value.map((l) => (
            <li key={l.id}>
              expires {l.expiresAt.replace("T", " ").slice(0, 16)}{" "}
              <button
                type="button"
                class="danger"
                onClick={async () => {
                  await api("DELETE", `/api/backups/links/${l.id}`).catch(() => {});
                  await load();
                }}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={onClose}>Close</button>
    </form>
  );
}

interface Target {
  id: number;
  name: string;
  bucket: string;
  prefix: string;
}

/** Backups on the storage targets (S3): copy a local one there, verify, download, restore, delete. */
function RemoteBackups(
  props: { local: string[]; onStatus: (t: string) => void; onError: (t: string) => void },
) {
  const targets = useSignal<Target[]>([]);
  const lists = useSignal<Record<number, Backup[]>>({});
  const copyFile = useSignal("");
  const load = async () => {
    targets.value = await api<Target[]>("GET", "/api/storage").catch(() => []);
    const next: Record<number, Backup[]> = {};
    for (const t of targets.value) {
      next[t.id] = await api<Backup[]>("GET", `/api/storage/${t.id}/backups`).catch(() => []);
    }
    lists.value = next;
  };
  useEffect(() => void load(), []);
  const run = async (label: string, fn: () => Promise<string>) => {
    try {
      props.onStatus(await fn());
      await load();
    } catch (err) {
      props.onError(`${label}: ${problemText(err)}`);
    }
  };
  if (!targets.value.length) return null;
  return (
    <section class="remote-backups" aria-label="Backups on storage targets">
      <h2>On storage targets</h2>
      {targets.value.map((t) => (
        <div key={t.id} data-remote-target={t.name}>
          <h3>
            {t.name} <span class="muted">{t.bucket}/{t.prefix}</span>
          </h3>
          <form
            class="row"
            onSubmit={(e) => {
              e.preventDefault();
              void run("Copy", async () => {
                await api("POST", `/api/storage/${t.id}/backups`, { file: copyFile.value });
                return `Copied ${copyFile.value} to ${t.name}`;
              });
            }}
          >
            <select
              aria-label={`Backup to copy to ${t.name}`}
              value={copyFile.value}
              onChange={(e) => copyFile.value = e.currentTarget.value}
            >
              <option value="">choose a local backup</option>
              {props.local.map((f) => <option key={f} value={f}>{f}</option>)}
            </select>
            <button type="submit" disabled={!copyFile.value}>Copy to {t.name}</button>
          </form>
          <ul>
            {(lists.value[t.id] ?? []).map((b) => (
              <li key={b.file} data-remote-backup={b.file}>
                <code>{b.file}</code>{" "}
                <span class="muted">{b.manifest.server} · {formatBytes(b.size)}</span>{" "}
                <button
                  type="button"
                  onClick={() =>
                    run("Verify", async () => {
                      const r = await api<{ ok: boolean; error?: string }>(
                        "POST",
                        `/api/storage/${t.id}/backups/${b.file}/verify`,
                      );
                      return r.ok ? `${b.file} on ${t.name}: verified` : `${b.file}: ${r.error}`;
                    })}
                >
                  Verify
                </button>
                <a href={`/api/storage/${t.id}/backups/${b.file}/download`} download>Download</a>
                <button
                  type="button"
                  onClick={() => {
                    const name = prompt(
                      "Restore as container name",
                      `${b.manifest.container.name}-restored`,
                    );
                    if (!name) return;
                    void run("Restore", async () => {
                      const r = await api<{ name: string }>(
                        "POST",
                        `/api/storage/${t.id}/backups/${b.file}/restore`,
                        b.manifest.kind === "stack" ? {} : { name },
                      );
                      return `Restored ${b.file} as ${r.name}`;
                    });
                  }}
                >
                  Restore…
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    confirm(`Delete ${b.file} from ${t.name}?`) &&
                    run("Delete", async () => {
                      await api("DELETE", `/api/storage/${t.id}/backups/${b.file}`);
                      return `Deleted ${b.file} from ${t.name}`;
                    })}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
          {(lists.value[t.id] ?? []).length === 0 && <p class="muted">No backups there yet.</p>}
        </div>
      ))}
    </section>
  );
}

function StackBackup(
  { onQueued, onError }: { onQueued: (t: string) => void; onError: (t: string) => void },
) {
  const project = useSignal("");
  const consistency = useSignal("stop");
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const job = await api<{ id: number }>("POST", "/api/backups", {
        stack: project.value.trim(),
        consistency: consistency.value,
      });
      onQueued(`Queued the stack backup (job #${job.id})`);
    } catch (err) {
      onError(`Stack backup: ${problemText(err)}`);
    }
  };
  return (
    <form class="row stack-backup" aria-label="Back up a stack" onSubmit={submit}>
      <h2>Back up a compose stack</h2>
      <input
        placeholder="compose project"
        aria-label="Compose project"
        required
        pattern="[a-z0-9][a-z0-9_\-]*"
        value={project.value}
        onInput={(e) => project.value = e.currentTarget.value}
      />
      <select
        aria-label="Consistency"
        value={consistency.value}
        onChange={(e) => consistency.value = e.currentTarget.value}
      >
        <option value="stop">stop the stack during the backup</option>
        <option value="pause">pause it</option>
        <option value="live">live</option>
      </select>
      <button type="submit">Back up</button>
    </form>
  );
}

function NetworkBackups(
  props: {
    list: NetworkBackup[];
    reload: () => Promise<void>;
    onStatus: (t: string) => void;
    onError: (t: string) => void;
  },
) {
  const network = useSignal("");
  const run = async (label: string, fn: () => Promise<string>) => {
    try {
      props.onStatus(await fn());
      await props.reload();
    } catch (err) {
      props.onError(`${label}: ${problemText(err)}`);
    }
  };
  return (
    <section class="network-backups" aria-label="Network backups">
      <h2>Network definitions</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run("Network backup", async () => {
            const b = await api<{ file: string }>("POST", "/api/backups/networks", {
              network: network.value.trim(),
            });
            return `Saved ${b.file}`;
          });
        }}
      >
        <input
          placeholder="network name"
          aria-label="Network to back up"
          required
          value={network.value}
          onInput={(e) => network.value = e.currentTarget.value}
        />
        <button type="submit">Back up network</button>
      </form>
      <ul>
        {props.list.map((n) => (
          <li key={n.file} data-network-backup={n.file}>
            <strong>{n.network.name}</strong>{" "}
            <span class="muted">
              {n.network.driver}{" "}
              {n.network.ipam.config.map((c) => c.Subnet).filter(Boolean).join(", ")}
              {" · "}
              {n.server} · {n.created.replace("T", " ").slice(0, 16)}
            </span>{" "}
            <button
              type="button"
              onClick={() =>
                run("Network restore", async () => {
                  const r = await api<{ name: string }>(
                    "POST",
                    `/api/backups/networks/${n.file}/restore`,
                    {},
                  );
                  return `Created network ${r.name}`;
                })}
            >
              Restore
            </button>
            <a href={`/api/backups/networks/${n.file}/download`} download>Download</a>
            <button
              type="button"
              class="danger"
              onClick={() =>
                confirm(`Delete ${n.file}?`) &&
                run("Delete", async () => {
                  await api("DELETE", `/api/backups/networks/${n.file}`);
                  return `Deleted ${n.file}`;
                })}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
      {props.list.length === 0 && <p class="muted">No network backups yet.</p>}
    </section>
  );
}
