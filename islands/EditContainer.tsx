/**
 * Edit a container: its environment variables, published ports, restart policy and limits.
 * Saving recreates it; if the new one cannot start, the old one is put back as it was.
 * Masked secret values stay as they are unless retyped.
 */
import { useSignal } from "@preact/signals";
import { api, problemText, withConfirmation } from "./_api.ts";

/** Props of EditContainer, rendered on the server. */
export interface EditContainerProps {
  id: string;
  name: string;
  env: { key: string; value: string }[];
  ports: { container: string; host: string | null }[];
  restartPolicy: string;
}

/** The edit form (part of the ContainerActions island). */
export default function EditContainer(props: EditContainerProps) {
  const env = useSignal(props.env.map((e) => `${e.key}=${e.value}`).join("\n"));
  const ports = useSignal(
    props.ports.filter((p) => p.host).map((p) => `${p.host}->${p.container}`).join("\n"),
  );
  const restart = useSignal(props.restartPolicy === "" ? "no" : props.restartPolicy);
  const memory = useSignal("");
  const cpus = useSignal("");
  const error = useSignal("");
  const status = useSignal("");
  const save = async (e: Event) => {
    e.preventDefault();
    error.value = status.value = "";
    try {
      const envMap = Object.fromEntries(
        env.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
          const i = l.indexOf("=");
          return i < 0 ? [l, ""] : [l.slice(0, i), l.slice(i + 1)];
        }),
      );
      const portList = ports.value.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
        // "127.0.0.1:8080->80/tcp" or "8080->80"
        const m = /^(?:(.+):)?(\d+)->(\d+)(?:\/(tcp|udp))?$/.exec(l);
        if (!m) throw new Error(`"${l}" is not like 8080->80/tcp`);
        return {
          ...(m[1] && m[1] !== "0.0.0.0" ? { hostIp: m[1] } : {}),
          host: Number(m[2]),
          container: Number(m[3]),
          protocol: (m[4] ?? "tcp") as "tcp" | "udp",
        };
      });
      const body = {
        env: envMap,
        ports: portList,
        restart: restart.value,
        ...(memory.value ? { memory: memory.value } : {}),
        ...(cpus.value ? { cpus: Number(cpus.value) } : {}),
      };
      const r = await withConfirmation((confirm) =>
        api<{ name: string }>("PUT", `/api/containers/${props.id}/config`, {
          ...body,
          ...(confirm ? { confirm } : {}),
        })
      );
      status.value = "Saved: the container was recreated";
      location.href = `/containers/${encodeURIComponent(r.name)}`;
    } catch (err) {
      error.value = err instanceof Error && !("status" in err) ? err.message : problemText(err);
    }
  };
  return (
    <div class="edit-container">
      <form aria-label="Edit the container" onSubmit={save}>
        <label>
          Environment (KEY=value per line; masked values stay as they are)
          <textarea
            name="env"
            rows={6}
            value={env.value}
            onInput={(e) => env.value = e.currentTarget.value}
          />
        </label>
        <label>
          Published ports ({"host->container/proto"} per line)
          <textarea
            name="ports"
            rows={3}
            value={ports.value}
            onInput={(e) => ports.value = e.currentTarget.value}
          />
        </label>
        <label>
          Restart
          <select
            name="restart"
            value={restart.value}
            onChange={(e) => restart.value = e.currentTarget.value}
          >
            {["no", "always", "unless-stopped", "on-failure"].map((x) => (
              <option key={x} value={x}>{x}</option>
            ))}
          </select>
        </label>
        <div class="row">
          <label>
            Memory (e.g. 512m; empty: unchanged)
            <input
              name="memory"
              value={memory.value}
              onInput={(e) => memory.value = e.currentTarget.value}
            />
          </label>
          <label>
            CPUs (empty: unchanged)
            <input
              name="cpus"
              value={cpus.value}
              onInput={(e) => cpus.value = e.currentTarget.value}
            />
          </label>
        </div>
        {error.value && <p class="error" role="alert">{error.value}</p>}
        {status.value && <p class="muted" role="status">{status.value}</p>}
        <button type="submit">Save and recreate</button>
      </form>
    </div>
  );
}
