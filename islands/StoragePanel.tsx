/**
 * Settings → Storage: S3-compatible targets (endpoint, region, bucket, prefix, path style,
 * keys — the secret key is write-only), test connection showing which step failed, remove.
 */
import { useSignal } from "@preact/signals";
import type { TargetView } from "../lib/shared/storage.ts";
import { api, problemText } from "./_api.ts";

/** Props of StoragePanel. */
export interface StoragePanelProps {
  targets: TargetView[];
}

interface Report {
  ok: boolean;
  steps: { step: string; ok: boolean; error?: string }[];
}

function reportText(r: Report): string {
  return r.ok
    ? "Connection works: write, read, list and delete succeeded"
    : r.steps.map((s) => s.ok ? `${s.step} ✓` : `${s.step} failed: ${s.error}`).join(" · ");
}

/** Targets list and editor. */
export default function StoragePanel(props: StoragePanelProps) {
  const targets = useSignal(props.targets);
  const editing = useSignal<TargetView | "new" | null>(null);
  const status = useSignal("");
  const error = useSignal("");
  const reload = async () => {
    targets.value = await api<TargetView[]>("GET", "/api/storage").catch(() => targets.value);
  };
  return (
    <div class="storage">
      <p class="muted">The local vault (the data directory's backups folder) is always used.</p>
      <ul>
        {targets.value.map((t) => (
          <li key={t.id} data-target={t.name}>
            <strong>{t.name}</strong>{" "}
            <span class="muted">
              {t.endpoint} · {t.bucket}/{t.prefix}
            </span>
            <button
              type="button"
              onClick={async () => {
                status.value = error.value = "";
                try {
                  const r = await api<Report>("POST", `/api/storage/${t.id}/test`);
                  (r.ok ? status : error).value = `${t.name}: ${reportText(r)}`;
                } catch (err) {
                  error.value = problemText(err);
                }
              }}
            >
              Test
            </button>
            <button type="button" onClick={() => editing.value = t}>Edit</button>
            <button
              type="button"
              class="danger"
              onClick={async () => {
                if (!confirm(`Remove the target ${t.name}? Its objects stay in the bucket.`)) {
                  return;
                }
                await api("DELETE", `/api/storage/${t.id}`).catch((err) =>
                  error.value = problemText(err)
                );
                await reload();
              }}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <button type="button" onClick={() => editing.value = "new"}>Add S3 target</button>
      {editing.value && (
        <TargetEditor
          initial={editing.value === "new" ? null : editing.value}
          onDone={async (text) => {
            editing.value = null;
            status.value = text;
            await reload();
          }}
          onCancel={() => editing.value = null}
        />
      )}
    </div>
  );
}

function TargetEditor(
  props: { initial: TargetView | null; onDone: (t: string) => void; onCancel: () => void },
) {
  const i = props.initial;
  const fields = {
    name: useSignal(i?.name ?? ""),
    endpoint: useSignal(i?.endpoint ?? ""),
    region: useSignal(i?.region ?? "us-east-1"),
    bucket: useSignal(i?.bucket ?? ""),
    prefix: useSignal(i?.prefix ?? ""),
    accessKeyId: useSignal(i?.accessKeyId ?? ""),
  };
  const pathStyle = useSignal(i?.pathStyle ?? true);
  const secret = useSignal("");
  const message = useSignal("");
  const body = () => ({
    name: fields.name.value,
    endpoint: fields.endpoint.value,
    region: fields.region.value,
    bucket: fields.bucket.value,
    prefix: fields.prefix.value,
    pathStyle: pathStyle.value,
    accessKeyId: fields.accessKeyId.value,
    ...(secret.value ? { secretAccessKey: secret.value } : {}),
  });
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      if (i) await api("PUT", `/api/storage/${i.id}`, body());
      else await api("POST", "/api/storage", body());
      props.onDone(`Saved ${fields.name.value}`);
    } catch (err) {
      message.value = problemText(err);
    }
  };
  const labels: Record<keyof typeof fields, string> = {
    name: "Name",
    endpoint: "Endpoint URL",
    region: "Region",
    bucket: "Bucket",
    prefix: "Prefix (empty, or ending with /)",
    accessKeyId: "Access key",
  };
  return (
    <form class="dialog auth-form" aria-label="Storage target" onSubmit={save}>
      {(Object.keys(fields) as (keyof typeof fields)[]).map((k) => (
        <label key={k}>
          {labels[k]}
          <input
            name={k}
            value={fields[k].value}
            onInput={(e) => fields[k].value = e.currentTarget.value}
          />
        </label>
      ))}
      <label>
        Secret key
        <input
          name="secretAccessKey"
          type="password"
          autocomplete="off"
          placeholder={i ? "stored — leave blank to keep" : ""}
          value={secret.value}
          onInput={(e) => secret.value = e.currentTarget.value}
        />
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={pathStyle.value}
          onChange={(e) => pathStyle.value = e.currentTarget.checked}
        />{" "}
        path-style URLs (MinIO, Garage)
      </label>
      {message.value && <p role="status">{message.value}</p>}
      <div class="row">
        <button type="submit">Save</button>
        {!i && (
          <button
            type="button"
            onClick={async () => {
              try {
                message.value = reportText(await api<Report>("POST", "/api/storage/test", body()));
              } catch (err) {
                message.value = problemText(err);
              }
            }}
          >
            Test connection
          </button>
        )}
        <button type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
