/**
 * The volume explorer inside the Volumes page: a folder's entries (folders first, with the
 * size under them), a breadcrumb, text view with the reason when a file is not shown,
 * downloads (a folder as a tar), and uploads of a file or a tar into the current folder.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatBytes } from "../lib/shared/format.ts";
import { api, problemText, upload } from "./_api.ts";

interface Entry {
  name: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  mtime: string;
  linkTarget?: string;
}

interface Viewed {
  path: string;
  size: number;
  text: string | null;
  reason?: string;
}

const join = (dir: string, name: string) => `${dir === "/" ? "" : dir}/${name}`;

/** Browses one volume. */
export function Explorer(props: { volume: string; onClose: () => void }) {
  const path = useSignal("/");
  const entries = useSignal<Entry[]>([]);
  const truncated = useSignal(false);
  const viewed = useSignal<Viewed | null>(null);
  const status = useSignal("");
  const error = useSignal("");
  const base = `/api/volumes/${encodeURIComponent(props.volume)}`;
  const load = async (to: string) => {
    error.value = "";
    viewed.value = null;
    try {
      const r = await api<{ path: string; entries: Entry[]; truncated: boolean }>(
        "GET",
        `${base}/files?path=${encodeURIComponent(to)}`,
      );
      path.value = r.path;
      entries.value = r.entries;
      truncated.value = r.truncated;
    } catch (err) {
      error.value = problemText(err);
    }
  };
  useEffect(() => void load("/"), [props.volume]);
  const open = async (e: Entry) => {
    const to = join(path.value, e.name);
    if (e.type === "dir" || e.type === "symlink") {
      await load(to);
      if (!error.value || e.type === "dir") return;
      error.value = "";
    }
    try {
      viewed.value = await api<Viewed>("GET", `${base}/file?path=${encodeURIComponent(to)}`);
    } catch (err) {
      error.value = problemText(err);
    }
  };
  const send = async (file: File, tar: boolean) => {
    status.value = error.value = "";
    const q = `path=${encodeURIComponent(path.value)}` +
      (tar ? "&tar=true" : `&filename=${encodeURIComponent(file.name)}`);
    try {
      await upload(
        `${base}/upload?${q}`,
        file,
        tar ? "application/x-tar" : "application/octet-stream",
      );
      status.value = `Uploaded ${file.name}`;
      await load(path.value);
    } catch (err) {
      error.value = problemText(err);
    }
  };
  const crumbs = path.value.split("/").filter(Boolean);
  return (
    <section class="explorer" data-explorer={props.volume}>
      <div class="row toolbar">
        <strong>Explore {props.volume}:</strong>
        <nav aria-label="Folder" class="crumbs">
          <button type="button" class="link" onClick={() => load("/")}>/</button>
          {crumbs.map((c, i) => (
            <button
              type="button"
              class="link"
              key={i}
              onClick={() => load("/" + crumbs.slice(0, i + 1).join("/"))}
            >
              {c}/
            </button>
          ))}
        </nav>
        <a
          href={`${base}/download?path=${encodeURIComponent(path.value)}`}
          download
          data-download-folder
        >
          Download folder (tar)
        </a>
        <label class="file-button">
          Upload file
          <input
            type="file"
            name="upload-file"
            hidden
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) void send(f, false);
              e.currentTarget.value = "";
            }}
          />
        </label>
        <label class="file-button">
          Upload tar
          <input
            type="file"
            name="upload-tar"
            accept=".tar,application/x-tar"
            hidden
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) void send(f, true);
              e.currentTarget.value = "";
            }}
          />
        </label>
        <button type="button" onClick={props.onClose}>Close</button>
      </div>
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {truncated.value && <p class="muted">Only the first 200,000 entries were read.</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>Modified</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {entries.value.map((e) => (
            <tr key={e.name} data-entry={e.name} data-type={e.type}>
              <td>
                <button type="button" class="link" onClick={() => open(e)}>
                  {e.type === "dir" ? "📁 " : e.type === "symlink" ? "↪ " : ""}
                  {e.name}
                </button>
                {e.linkTarget && <span class="muted small">→ {e.linkTarget}</span>}
              </td>
              <td>{formatBytes(e.size)}</td>
              <td>{e.mtime.replace("T", " ").slice(0, 16)}</td>
              <td>
                <a
                  href={`${base}/download?path=${encodeURIComponent(join(path.value, e.name))}`}
                  download
                >
                  Download
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.value.length === 0 && !error.value && <p class="muted">Empty folder.</p>}
      {viewed.value && (
        <div class="viewer" data-viewer={viewed.value.path}>
          <p>
            <code>{viewed.value.path}</code> ({formatBytes(viewed.value.size)})
          </p>
          {viewed.value.text !== null
            ? <pre class="json">{viewed.value.text}</pre>
            : (
              <p class="muted" data-reason={viewed.value.reason}>
                {viewed.value.reason === "too large"
                  ? "Too large to show here: download it instead."
                  : "A binary file: download it instead."}
              </p>
            )}
        </div>
      )}
    </section>
  );
}
