/**
 * A container's backup form: consistency, compression, which volumes and bind mounts, the
 * image, pre/post commands — prefilled with the choices remembered for this container.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { z } from "zod";
import { api, ApiError } from "./_api.ts";

/** Props of BackupForm. */
export const BackupFormPropsSchema = z.object({
  id: z.string(),
  name: z.string(),
  isSelf: z.boolean(),
  mounts: z.array(z.object({
    type: z.string(),
    name: z.string().nullable(),
    source: z.string(),
    destination: z.string(),
  })),
});
/** Props of BackupForm. */
export type BackupFormProps = z.infer<typeof BackupFormPropsSchema>;

interface Preferences {
  consistency?: string;
  compression?: string;
  exclude?: string[];
  includeImage?: boolean;
  pre?: string[];
  post?: string[];
}

/** An argv array from text: a JSON array, or words split on whitespace. */
function argv(text: string): string[] | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (t.startsWith("[")) return JSON.parse(t) as string[];
  return t.split(/\s+/);
}

const show = (a?: string[]) => a ? JSON.stringify(a) : "";

/** Queues a backup of one container with the chosen options. */
export default function BackupForm(props: BackupFormProps) {
  const mounts = props.mounts.filter((m) => m.type === "volume" || m.type === "bind");
  const key = (m: BackupFormProps["mounts"][number]) => m.type === "volume" ? m.name! : m.source;
  const consistency = useSignal(props.isSelf ? "live" : "live");
  const compression = useSignal("gzip");
  const excluded = useSignal<Set<string>>(new Set());
  const includeImage = useSignal(false);
  const pre = useSignal("");
  const post = useSignal("");
  const status = useSignal("");
  const error = useSignal("");

  useEffect(() => {
    api<Preferences>("GET", `/api/backups/preferences/${props.id}`).then((p) => {
      if (p.consistency) consistency.value = p.consistency;
      if (p.compression) compression.value = p.compression;
      excluded.value = new Set(p.exclude ?? []);
      includeImage.value = p.includeImage ?? false;
      pre.value = show(p.pre);
      post.value = show(p.post);
    }, () => {});
  }, [props.id]);

  const submit = async (e: Event) => {
    e.preventDefault();
    status.value = error.value = "";
    try {
      const job = await api<{ id: number }>("POST", "/api/backups", {
        container: props.id,
        consistency: consistency.value,
        compression: compression.value,
        exclude: [...excluded.value],
        includeImage: includeImage.value,
        pre: argv(pre.value),
        post: argv(post.value),
      });
      status.value = `Queued backup job #${job.id}; follow it on the Backups page`;
    } catch (err) {
      error.value = err instanceof ApiError
        ? err.message
        : err instanceof SyntaxError
        ? "A command is not a valid JSON array"
        : "Bosun did not answer";
    }
  };

  return (
    <form class="auth-form backup-form" aria-label="Back up" onSubmit={submit}>
      <label>
        Consistency
        <select
          name="consistency"
          value={consistency.value}
          onChange={(e) => consistency.value = e.currentTarget.value}
        >
          <option value="live">live (no interruption)</option>
          <option value="pause" disabled={props.isSelf}>pause during the backup</option>
          <option value="stop" disabled={props.isSelf}>stop during the backup, start after</option>
        </select>
      </label>
      <label>
        Compression
        <select
          name="compression"
          value={compression.value}
          onChange={(e) => compression.value = e.currentTarget.value}
        >
          <option value="gzip">gzip</option>
          <option value="zstd">zstd (faster)</option>
        </select>
      </label>
      {mounts.length > 0 && (
        <fieldset>
          <legend>Include</legend>
          {mounts.map((m) => (
            <label class="inline" key={key(m)}>
              <input
                type="checkbox"
                data-mount={key(m)}
                checked={!excluded.value.has(key(m))}
                onChange={(e) => {
                  const next = new Set(excluded.value);
                  if (e.currentTarget.checked) next.delete(key(m));
                  else next.add(key(m));
                  excluded.value = next;
                }}
              />{" "}
              {m.type} {m.type === "volume" ? m.name!.slice(0, 24) : m.source} → {m.destination}
            </label>
          ))}
        </fieldset>
      )}
      <label class="inline">
        <input
          type="checkbox"
          name="includeImage"
          checked={includeImage.value}
          onChange={(e) => includeImage.value = e.currentTarget.checked}
        />{" "}
        include the image (restores with no registry)
      </label>
      <label>
        Before the backup, run (words, or a JSON array)
        <input
          name="pre"
          placeholder='e.g. ["sh","-c","pg_dumpall -U postgres > /backup/all.sql"]'
          value={pre.value}
          onInput={(e) => pre.value = e.currentTarget.value}
        />
      </label>
      <label>
        After the backup, run
        <input name="post" value={post.value} onInput={(e) => post.value = e.currentTarget.value} />
      </label>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {status.value && <p class="muted" role="status">{status.value}</p>}
      <button type="submit">Back up now</button>
    </form>
  );
}

/** Props validation used by the island loader. */
export { BackupFormPropsSchema as propsSchema };
