/**
 * A container's page controls: lifecycle buttons (enabled by the live state), rename,
 * remove, and the raw inspect JSON with copy and an audited reveal of masked secrets.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { z } from "zod";
import {
  ACTION_LABELS,
  actionAllowed,
  CONTAINER_ACTIONS,
  type ContainerDetails,
} from "../lib/shared/containers.ts";
import { api, ApiError, withConfirmation } from "./_api.ts";
import { CopyButton } from "./_cli.tsx";

const DESTRUCTIVE = new Set(["stop", "restart", "kill"]);
const q = (confirm?: string) => confirm ? `confirm=${encodeURIComponent(confirm)}` : "";

/** Props of ContainerActions. */
export const ContainerActionsPropsSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  isSelf: z.boolean(),
  environment: z.string().default(""),
  environmentLabel: z.string().nullable().default(null),
  description: z.string().default(""),
});
/** Props of ContainerActions. */
export type ContainerActionsProps = z.infer<typeof ContainerActionsPropsSchema>;

/** Buttons and forms acting on one container. */
export default function ContainerActions(props: ContainerActionsProps) {
  const state = useSignal(props.state);
  const name = useSignal(props.name);
  const newName = useSignal(props.name);
  const busy = useSignal(false);
  const error = useSignal("");
  const inspect = useSignal("");
  const revealed = useSignal(false);
  const removeVolumes = useSignal(false);
  /** The docker run asked for (actions' commands show in the page's CliToast). */
  const lastCli = useSignal("");
  const runMode = useSignal("simple");

  const refresh = async () => {
    try {
      const d = await api<ContainerDetails>("GET", `/api/containers/${props.id}`);
      state.value = d.state;
      name.value = d.name;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) state.value = "removed";
    }
  };

  useEffect(() => {
    const source = new EventSource("/api/events/stream?type=container");
    source.addEventListener("engine-event", (e) => {
      const event = JSON.parse((e as MessageEvent).data) as { id: string };
      // While an action of ours runs, its own completion refreshes the state.
      if (event.id === props.id && state.value !== "removed" && !busy.value) void refresh();
    });
    return () => source.close();
  }, []);

  const run = async (label: string, fn: () => Promise<unknown>, after = refresh) => {
    busy.value = true;
    error.value = "";
    try {
      await fn();
      await after();
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : `${label} failed`;
      await refresh();
    } finally {
      busy.value = false;
    }
  };

  const loadInspect = (reveal: boolean) =>
    run("Inspect", async () => {
      const raw = await api("GET", `/api/containers/${props.id}/inspect?reveal=${reveal}`);
      inspect.value = JSON.stringify(raw, null, 2);
      revealed.value = reveal;
    });

  if (state.value === "removed") {
    return (
      <p class="notice" role="status">
        This container was removed. <a href="/containers">Back to containers</a>
      </p>
    );
  }

  return (
    <div class="container-actions">
      <p>
        State: <span class={`state state-${state.value}`} data-live-state>{state.value}</span>
        {props.isSelf && <span class="badge">Bosun</span>}
        {props.environment && (
          <span class={`badge env-${props.environment}`} data-environment={props.environment}>
            {props.environment}
          </span>
        )}
        {props.description && <span class="muted">— {props.description}</span>}
      </p>
      {!props.isSelf && (
        <form
          class="row"
          aria-label="Environment tag"
          onSubmit={(e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            const environment = String(form.get("environment") ?? "") || null;
            const description = String(form.get("description") ?? "");
            void run("Tag", async () => {
              const r = await withConfirmation((confirm) =>
                api<{ id: string; name: string }>(
                  "PUT",
                  `/api/containers/${props.id}/environment`,
                  {
                    environment,
                    description: description || null,
                    ...(confirm ? { confirm } : {}),
                  },
                )
              );
              // A new container: go to its page.
              location.href = `/containers/${encodeURIComponent(r.name)}`;
            }, () => Promise.resolve());
          }}
        >
          <select name="environment" aria-label="Environment" value={props.environmentLabel ?? ""}>
            <option value="">inherit the host's</option>
            {["PRD", "UAT", "DEV", "SANDBOX"].map((e) => <option key={e} value={e}>{e}</option>)}
          </select>
          <input
            name="description"
            placeholder="description"
            maxLength={200}
            value={props.description}
          />
          <button type="submit" disabled={busy.value} title="The container is recreated">
            Save tag
          </button>
        </form>
      )}
      <div class="row" role="toolbar" aria-label="Actions">
        {CONTAINER_ACTIONS.map((action) => (
          <button
            type="button"
            key={action}
            data-action={action}
            disabled={busy.value || (props.isSelf && !["start", "unpause"].includes(action)) ||
              !actionAllowed(action, state.value)}
            onClick={() => {
              // UAT asks a simple confirmation; PRD asks for the name (on the API's 428).
              if (
                props.environment === "UAT" && DESTRUCTIVE.has(action) &&
                !confirm(`${ACTION_LABELS[action]} ${name.value} (UAT)?`)
              ) return;
              void run(
                ACTION_LABELS[action],
                () =>
                  // Its docker command shows in the page's CliToast.
                  withConfirmation((confirm) =>
                    api("POST", `/api/containers/${props.id}/${action}?${q(confirm)}`)
                  ),
              );
            }}
          >
            {ACTION_LABELS[action]}
          </button>
        ))}
      </div>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {lastCli.value && <CliNote cli={lastCli.value} />}
      <p class="row">
        Export as files (run.sh, compose.yaml, config.json, README.md):{" "}
        <a href={`/api/containers/${props.id}/export`} download data-export>without secrets</a>
        <a
          href={`/api/containers/${props.id}/export?secrets=true`}
          download
          title="Secret values go into .env; recorded in the audit log"
        >
          with secrets (.env)
        </a>
      </p>
      <div class="row">
        <select
          aria-label="docker run mode"
          value={runMode.value}
          onChange={(e) => runMode.value = e.currentTarget.value}
        >
          <option value="simple">one line</option>
          <option value="intermediate">every flag on its line</option>
          <option value="advanced">a safe bash script</option>
        </select>
        <button
          type="button"
          data-show-run
          onClick={() =>
            run("docker run", async () => {
              lastCli.value = (await api<{ cli: string }>(
                "GET",
                `/api/containers/${props.id}/cli?mode=${runMode.value}`,
              )).cli;
            }, () => Promise.resolve())}
        >
          Show docker run
        </button>
      </div>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          run(
            "Rename",
            () => api("POST", `/api/containers/${props.id}/rename`, { name: newName.value }),
          );
        }}
      >
        <input
          aria-label="New name"
          value={newName.value}
          pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*"
          onInput={(e) => newName.value = e.currentTarget.value}
        />
        <button type="submit" disabled={busy.value || newName.value === name.value}>
          Rename
        </button>
      </form>
      {!props.isSelf && (
        <div class="row">
          <label class="inline">
            <input
              type="checkbox"
              checked={removeVolumes.value}
              onChange={(e) => removeVolumes.value = e.currentTarget.checked}
            />{" "}
            also remove its anonymous volumes
          </label>
          <button
            type="button"
            class="danger"
            data-action="remove"
            disabled={busy.value}
            onClick={() => {
              if (!confirm(`Remove container "${name.value}"? This cannot be undone.`)) return;
              run(
                "Remove",
                () =>
                  withConfirmation((confirm) =>
                    api(
                      "DELETE",
                      `/api/containers/${props.id}?force=true&volumes=${removeVolumes.value}&${
                        q(confirm)
                      }`,
                    )
                  ),
                () => {
                  state.value = "removed";
                  return Promise.resolve();
                },
              );
            }}
          >
            Remove
          </button>
        </div>
      )}
      {!props.isSelf && (
        <p>
          <a href={`/containers/${encodeURIComponent(name.value)}/edit`} data-edit>
            Edit its configuration…
          </a>
        </p>
      )}
      <h2>Inspect</h2>
      <div class="row">
        <button type="button" onClick={() => loadInspect(false)}>Show inspect JSON</button>
        {inspect.value && !revealed.value && (
          <button
            type="button"
            onClick={() => loadInspect(true)}
            title="Recorded in the audit log"
          >
            Reveal secrets
          </button>
        )}
        {inspect.value && (
          <button
            type="button"
            onClick={() => navigator.clipboard?.writeText(inspect.value)}
          >
            Copy
          </button>
        )}
      </div>
      {inspect.value && <pre class="json" data-inspect>{inspect.value}</pre>}
    </div>
  );
}

/** Props validation used by the island loader. */
export const propsSchema = ContainerActionsPropsSchema;

/** A docker command with a copy button. */
function CliNote(props: { cli: string }) {
  return (
    <div class="cli-note">
      <pre data-cli>{props.cli}</pre>
      <CopyButton text={props.cli} />
    </div>
  );
}
