/**
 * The Images page: repository tags, id, size, created, the containers using each image,
 * dangling ones marked; pull with live per-layer progress; tag; remove (with force); prune
 * dangling behind a typed confirmation (disabled when there are none).
 */
import { useSignal } from "@preact/signals";
import { formatBytes } from "../lib/shared/format.ts";
import { api, problemText, useActions } from "./_api.ts";

interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  created: number;
  size: number;
  dangling: boolean;
  usedBy: string[];
}

interface PullJob {
  id: number;
  reference: string;
  status: "running" | "complete" | "failed";
  error?: string;
  message?: string;
  layers: { id: string; status: string; current?: number; total?: number }[];
}

/** Props of ImagesBoard: the first listing, rendered on the server. */
export interface ImagesBoardProps {
  images: Image[];
}

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);

/** The images list with pull, tag, remove and prune. */
export default function ImagesBoard(props: ImagesBoardProps) {
  const images = useSignal(props.images);
  const filter = useSignal("");
  const reference = useSignal("");
  const pull = useSignal<PullJob | null>(null);
  const { status, error, act } = useActions(() => load());
  const load = async () => {
    images.value = await api<Image[]>("GET", "/api/images")
      .catch((err) => (error.value = problemText(err), images.value));
  };
  const startPull = async (e: Event) => {
    e.preventDefault();
    status.value = error.value = "";
    try {
      const job = await api<PullJob>("POST", "/api/images/pull", { reference: reference.value });
      pull.value = job;
      const source = new EventSource(`/api/images/pulls/${job.id}/stream`);
      source.addEventListener("pull", (ev) => {
        const next = JSON.parse((ev as MessageEvent).data) as PullJob;
        pull.value = next;
        if (next.status !== "running") {
          source.close();
          if (next.status === "complete") status.value = `Pulled ${next.reference}`;
          else error.value = next.error ?? "The pull failed";
          void load();
        }
      });
      source.addEventListener("error", () => source.close());
    } catch (err) {
      error.value = problemText(err);
    }
  };
  const needle = filter.value.trim().toLowerCase();
  const shown = images.value.filter((i) =>
    !needle || i.id.includes(needle) || i.repoTags.some((t) => t.toLowerCase().includes(needle))
  );
  const dangling = images.value.filter((i) => i.dangling).length;
  return (
    <div class="images">
      <div class="toolbar row">
        <input
          type="search"
          aria-label="Filter images"
          placeholder="Filter images"
          value={filter.value}
          onInput={(e) => filter.value = e.currentTarget.value}
        />
        <form class="row" aria-label="Pull an image" onSubmit={startPull}>
          <input
            name="reference"
            placeholder="image to pull, e.g. nginx:1.27"
            required
            value={reference.value}
            onInput={(e) => reference.value = e.currentTarget.value}
          />
          <button type="submit" disabled={pull.value?.status === "running"}>Pull</button>
        </form>
        <button
          type="button"
          class="danger"
          data-prune
          disabled={dangling === 0}
          title={dangling ? "" : "no dangling images"}
          onClick={() => {
            const typed = prompt(`Type "prune images" to remove ${dangling} dangling image(s)`);
            if (typed === null) return;
            void act(async () => {
              const r = await api<{ deleted: string[]; spaceReclaimed: number }>(
                "POST",
                "/api/images/prune",
                { confirm: typed },
              );
              return `Pruned ${r.deleted.length} image(s), ${formatBytes(r.spaceReclaimed)}`;
            });
          }}
        >
          Prune dangling ({dangling})
        </button>
      </div>
      {pull.value && (
        <div class="pull-progress" data-pull={pull.value.status} aria-live="polite">
          <p>
            Pulling <code>{pull.value.reference}</code>: {pull.value.status}
            {pull.value.message ? ` — ${pull.value.message}` : ""}
          </p>
          <ul>
            {pull.value.layers.map((l) => (
              <li key={l.id} data-layer={l.id}>
                <code>{l.id}</code> {l.status}
                {l.total ? ` ${formatBytes(l.current ?? 0)} / ${formatBytes(l.total)}` : ""}
                {l.total && (
                  <progress value={l.current ?? 0} max={l.total} aria-label={`layer ${l.id}`} />
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Repository:tag</th>
            <th>Id</th>
            <th>Size</th>
            <th>Created</th>
            <th>Used by</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {shown.map((i) => (
            <tr key={i.id} data-image={i.id}>
              <td>
                {i.repoTags.length
                  ? i.repoTags.map((t) => (
                    <div key={t}>
                      <code>{t}</code>
                    </div>
                  ))
                  : <span class="badge">dangling</span>}
              </td>
              <td>
                <code title={i.id}>{short(i.id)}</code>
              </td>
              <td>{formatBytes(i.size)}</td>
              <td>{new Date(i.created * 1000).toISOString().replace("T", " ").slice(0, 16)}</td>
              <td data-used-by>
                {i.usedBy.length ? i.usedBy.join(", ") : <span class="muted">unused</span>}
              </td>
              <td class="row">
                <button
                  type="button"
                  onClick={() => {
                    const target = prompt("New tag (repository:tag)", i.repoTags[0] ?? "");
                    if (!target) return;
                    void act(async () => {
                      await api("POST", `/api/images/${encodeURIComponent(i.id)}/tag`, {
                        reference: target,
                      });
                      return `Tagged ${short(i.id)} as ${target}`;
                    });
                  }}
                >
                  Tag
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    const users = i.usedBy.length
                      ? ` It is used by ${i.usedBy.join(", ")}: force removal?`
                      : "";
                    if (!confirm(`Remove ${i.repoTags[0] ?? short(i.id)}?${users}`)) return;
                    void act(async () => {
                      const force = i.usedBy.length > 0 || i.repoTags.length > 1;
                      await api(
                        "DELETE",
                        `/api/images/${encodeURIComponent(i.id)}?force=${force}`,
                      );
                      return `Removed ${i.repoTags[0] ?? short(i.id)}`;
                    });
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p class="muted">No images.</p>}
    </div>
  );
}
