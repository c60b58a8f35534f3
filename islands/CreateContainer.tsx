/**
 * Guided container creation: beginner mode (name, image, ports, folders, environment tag)
 * and advanced mode (environment variables, network and address, restart policy, limits,
 * user). The name is checked as you type (with free alternatives), the safe defaults are
 * visible and changeable, and the `docker run` it equals is previewed live.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, problemText } from "./_api.ts";

/** Props of CreateContainer, rendered on the server. */
export interface CreateContainerProps {
  networks: string[];
  profile: string;
  budget: number | null;
  containers: number;
}

interface Row {
  a: string;
  b: string;
}

const rows = (text: Row[]) => text.filter((r) => r.a.trim() && r.b.trim());

/** The creation form. */
export default function CreateContainer(props: CreateContainerProps) {
  const advanced = useSignal(false);
  const f = useSignal({
    name: "",
    image: "",
    environment: "",
    description: "",
    network: "",
    ip: "",
    restart: "unless-stopped",
    memory: "512m",
    cpus: "0.5",
    pidsLimit: "100",
    noNewPrivileges: true,
    user: "",
    command: "",
  });
  const ports = useSignal<Row[]>([{ a: "", b: "" }]);
  const volumes = useSignal<Row[]>([{ a: "", b: "" }]);
  const env = useSignal<Row[]>([{ a: "", b: "" }]);
  const nameInfo = useSignal<
    { available: boolean; valid: boolean; suggestions: string[]; storagePaths: string[] } | null
  >(null);
  const preview = useSignal<
    {
      cli?: { simple: string; intermediate: string };
      check?: { ok: boolean; error?: string; warnings: string[] };
    } | null
  >(null);
  const ack = useSignal(false);
  const error = useSignal("");
  const status = useSignal("");
  const set = (k: string, v: unknown) => f.value = { ...f.value, [k]: v };
  /** `name`, `value` and `onInput` of a text input bound to the form field `k`. */
  const bind = (k: Exclude<keyof typeof f.value, "noNewPrivileges">) => ({
    name: k,
    value: f.value[k],
    onInput: (e: { currentTarget: HTMLInputElement }) => set(k, e.currentTarget.value),
  });
  const spec = () => ({
    name: f.value.name,
    image: f.value.image,
    ...(f.value.command.trim() ? { command: f.value.command.trim().split(/\s+/) } : {}),
    ports: rows(ports.value).map((r) => ({ host: Number(r.a), container: Number(r.b) })),
    volumes: rows(volumes.value).map((r) => ({
      type: r.a.startsWith("/") ? "bind" : "volume",
      source: r.a,
      target: r.b,
    })),
    env: Object.fromEntries(rows(env.value).map((r) => [r.a, r.b])),
    ...(f.value.environment ? { environment: f.value.environment } : {}),
    ...(f.value.description ? { description: f.value.description } : {}),
    ...(f.value.network ? { network: f.value.network } : {}),
    ...(f.value.ip ? { ip: f.value.ip } : {}),
    restart: f.value.restart,
    memory: f.value.memory || null,
    cpus: f.value.cpus ? Number(f.value.cpus) : null,
    pidsLimit: f.value.pidsLimit ? Number(f.value.pidsLimit) : null,
    noNewPrivileges: f.value.noNewPrivileges,
    ...(f.value.user ? { user: f.value.user } : {}),
    acknowledgeBudget: ack.value,
  });
  useEffect(() => {
    const t = setTimeout(async () => {
      if (f.value.name) {
        nameInfo.value = await api<typeof nameInfo.value>(
          "GET",
          `/api/containers/name-check?name=${encodeURIComponent(f.value.name)}`,
        ).catch(() => null);
      }
      if (!f.value.name || !f.value.image) return (preview.value = null);
      try {
        preview.value = await api("POST", "/api/containers?dryRun=true", spec());
        error.value = "";
      } catch (err) {
        preview.value = null;
        error.value = problemText(err);
      }
    }, 300);
    return () => clearTimeout(t);
  }, [f.value, ports.value, volumes.value, env.value, ack.value]);
  const near = props.budget !== null && props.containers + 1 >= 0.8 * props.budget;
  const over = props.budget !== null && props.containers + 1 > props.budget;
  const pairs = (label: string, list: typeof ports, a: string, b: string, name: string) => (
    <fieldset data-pairs={name}>
      <legend>{label}</legend>
      {list.value.map((r, i) => (
        <div class="row" key={i}>
          <input
            name={`${name}-a-${i}`}
            placeholder={a}
            value={r.a}
            onInput={(e) =>
              list.value = list.value.map((x, j) =>
                j === i ? { ...x, a: e.currentTarget.value } : x
              )}
          />
          <input
            name={`${name}-b-${i}`}
            placeholder={b}
            value={r.b}
            onInput={(e) =>
              list.value = list.value.map((x, j) =>
                j === i ? { ...x, b: e.currentTarget.value } : x
              )}
          />
        </div>
      ))}
      <button
        type="button"
        class="link"
        onClick={() => list.value = [...list.value, { a: "", b: "" }]}
      >
        + add
      </button>
    </fieldset>
  );
  return (
    <form
      class="create-container"
      aria-label="Create a container"
      onSubmit={async (e) => {
        e.preventDefault();
        status.value = error.value = "";
        try {
          // A missing image is pulled first, with its layers' progress shown.
          const dry = await api<{ imagePresent: boolean }>(
            "POST",
            "/api/containers?dryRun=true",
            spec(),
          );
          if (!dry.imagePresent) await pullWithProgress(f.value.image, (t) => status.value = t);
          const r = await api<{ name: string; warnings: string[] }>(
            "POST",
            "/api/containers",
            spec(),
          );
          status.value = `Created ${r.name}${
            r.warnings.length ? ` (${r.warnings.join("; ")})` : ""
          }`;
          location.href = `/containers/${encodeURIComponent(r.name)}`;
        } catch (err) {
          error.value = problemText(err);
        }
      }}
    >
      <p class="muted">
        This host: <strong>{props.profile}</strong>, {props.containers} containers
        {props.budget !== null ? ` of a budget of ${props.budget}` : ""}.
      </p>
      {near && !over && <p class="warning">Near this host's container budget.</p>}
      {over && (
        <label class="check warning">
          <input
            type="checkbox"
            name="acknowledgeBudget"
            checked={ack.value}
            onChange={(e) => ack.value = e.currentTarget.checked}
          />
          Past this host's budget: create it anyway
        </label>
      )}
      <label class="check">
        <input
          type="checkbox"
          name="advanced"
          checked={advanced.value}
          onChange={(e) => advanced.value = e.currentTarget.checked}
        />
        Advanced
      </label>
      <label>
        Name
        <input
          {...bind("name")}
          required
          pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
        />
      </label>
      {nameInfo.value && f.value.name && (
        <p class={nameInfo.value.available ? "muted" : "error"} data-name-check>
          {!nameInfo.value.valid
            ? "Letters, digits, '_', '.' and '-', starting with a letter or digit."
            : nameInfo.value.available
            ? `Free. Folders for it: ${nameInfo.value.storagePaths.join(", ")}`
            : `Taken. Free: ${nameInfo.value.suggestions.join(", ")}`}
        </p>
      )}
      <label>
        Image
        <input
          {...bind("image")}
          required
          placeholder="nginx:1.27 (pulled when missing)"
        />
      </label>
      {pairs("Ports", ports, "host port", "container port", "ports")}
      {pairs(
        "Volumes and folders",
        volumes,
        "volume name or /host/path",
        "/path/in/container",
        "volumes",
      )}
      <label>
        Environment tag
        <select
          name="environment"
          value={f.value.environment}
          onChange={(e) => set("environment", e.currentTarget.value)}
        >
          <option value="">the host's</option>
          {["PRD", "UAT", "DEV", "SANDBOX"].map((x) => <option key={x} value={x}>{x}</option>)}
        </select>
      </label>
      <label>
        Description
        <input
          {...bind("description")}
          maxLength={200}
        />
      </label>
      {advanced.value && (
        <>
          {pairs("Environment variables", env, "NAME", "value", "env")}
          <label>
            Command
            <input
              {...bind("command")}
              placeholder="default: the image's"
            />
          </label>
          <label>
            Network
            <select
              name="network"
              value={f.value.network}
              onChange={(e) => set("network", e.currentTarget.value)}
            >
              <option value="">default bridge</option>
              {props.networks.map((n) => <option key={n} value={n}>{n}</option>)}
            </select>
          </label>
          {f.value.network && (
            <label>
              Address (empty: automatic)
              <input
                {...bind("ip")}
              />
            </label>
          )}
          <label>
            Restart
            <select
              name="restart"
              value={f.value.restart}
              onChange={(e) => set("restart", e.currentTarget.value)}
            >
              {["unless-stopped", "always", "on-failure", "no"].map((x) => (
                <option key={x} value={x}>{x}</option>
              ))}
            </select>
          </label>
          <div class="row">
            <label>
              Memory
              <input
                {...bind("memory")}
              />
            </label>
            <label>
              CPUs
              <input
                {...bind("cpus")}
              />
            </label>
            <label>
              PIDs
              <input
                {...bind("pidsLimit")}
              />
            </label>
          </div>
          <label class="check">
            <input
              type="checkbox"
              name="noNewPrivileges"
              checked={f.value.noNewPrivileges}
              onChange={(e) => set("noNewPrivileges", e.currentTarget.checked)}
            />
            no-new-privileges
          </label>
          <label>
            User
            <input
              {...bind("user")}
              placeholder="uid:gid"
            />
          </label>
        </>
      )}
      <p class="muted small">
        Safe defaults: {f.value.memory || "no"} memory limit, {f.value.cpus || "no"} CPU,{" "}
        {f.value.pidsLimit || "no"} PIDs,{" "}
        {f.value.noNewPrivileges ? "" : "no "}no-new-privileges, logs rotated at 10 MB ×
        3{advanced.value ? "" : " (change them in Advanced)"}.
      </p>
      {preview.value?.check && !preview.value.check.ok && (
        <p class="error" data-check-error>{preview.value.check.error}</p>
      )}
      {preview.value?.check?.warnings.map((w) => <p key={w} class="warning">{w}</p>)}
      {preview.value?.cli && (
        <pre
          class="json"
          data-preview
        >{advanced.value ? preview.value.cli.intermediate : preview.value.cli.simple}</pre>
      )}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {status.value && <p class="muted" role="status">{status.value}</p>}
      <button type="submit">Create and start</button>
    </form>
  );
}

/** Pulls an image as a job, reporting its layers' progress; resolves when it is done. */
async function pullWithProgress(reference: string, report: (text: string) => void): Promise<void> {
  const job = await api<{ id: number }>("POST", "/api/images/pull", { reference });
  await new Promise<void>((resolve, reject) => {
    const source = new EventSource(`/api/images/pulls/${job.id}/stream`);
    source.addEventListener("pull", (e) => {
      const p = JSON.parse((e as MessageEvent).data) as {
        status: string;
        error?: string;
        layers: { id: string; status: string }[];
      };
      const done = p.layers.filter((l) => /complete|exists/i.test(l.status)).length;
      report(`Pulling ${reference}: ${done} of ${p.layers.length} layers`);
      if (p.status === "complete") (source.close(), resolve());
      if (p.status === "failed") (source.close(), reject(new Error(p.error ?? "the pull failed")));
    });
    source.addEventListener(
      "error",
      () => (source.close(), reject(new Error("the pull stream ended"))),
    );
  });
}
