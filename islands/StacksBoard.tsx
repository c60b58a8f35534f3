/**
 * The Stacks page: compose projects (Bosun's, `docker compose`'s, `docker-compose`'s) with
 * their services; a YAML editor with errors shown at their lines as you type; deploy with
 * live steps; start, stop, restart, down; and the `docker run` → compose converter.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError, problemText, useActions, withConfirmation } from "./_api.ts";

interface Stack {
  name: string;
  managed: boolean;
  state: string;
  services: { name: string; containers: { id: string; name: string; state: string }[] }[];
}

interface Job {
  id: number;
  status: string;
  steps: string[];
  error?: string;
}

interface Swarm {
  manager: boolean;
  services: {
    id: string;
    name: string;
    image: string;
    stack: string | null;
    mode: string;
    replicas: number | null;
    running: number;
  }[];
  stacks: { name: string; services: string[] }[];
  nodes: { id: string; hostname: string; role: string; state: string; leader: boolean }[];
}

/** Props of StacksBoard, rendered on the server. */
export interface StacksBoardProps {
  stacks: Stack[];
  swarm: Swarm | null;
}

const TEMPLATE = `services:
  app:
    image: nginx:1.27
    ports: ["8080:80"]
    restart: unless-stopped
`;

/** The stacks list, editor, deploy progress and converter. */
export default function StacksBoard(props: StacksBoardProps) {
  const stacks = useSignal(props.stacks);
  const editing = useSignal<{ name: string; compose: string; env: string; isNew: boolean } | null>(
    null,
  );
  const job = useSignal<Job | null>(null);
  const { status, error, act } = useActions(() => load());
  const load = async () => {
    stacks.value = await api<Stack[]>("GET", "/api/stacks")
      .catch((err) => (error.value = problemText(err), stacks.value));
  };
  const follow = (started: Job) => {
    job.value = started;
    const source = new EventSource(`/api/stacks/jobs/${started.id}/stream`);
    source.addEventListener("job", (e) => {
      const j = JSON.parse((e as MessageEvent).data) as Job;
      job.value = j;
      if (j.status !== "running") {
        source.close();
        void load();
      }
    });
    source.addEventListener("error", () => source.close());
  };
  const base = (n: string) => `/api/stacks/${encodeURIComponent(n)}`;
  return (
    <div class="stacks">
      <div class="toolbar row">
        <button
          type="button"
          data-new-stack
          onClick={() => editing.value = { name: "", compose: TEMPLATE, env: "", isNew: true }}
        >
          New stack
        </button>
      </div>
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {editing.value && (
        <Editor
          {...editing.value}
          onClose={() => editing.value = null}
          onSaved={(name, deploy) =>
            act(async () => {
              editing.value = null;
              if (!deploy) return `Saved ${name}`;
              follow(await api<Job>("POST", `${base(name)}/deploy`));
              return `Deploying ${name}`;
            })}
        />
      )}
      {job.value && (
        <div class="deploy-progress" data-job={job.value.status} aria-live="polite">
          <strong>Deploy {job.value.status}</strong>
          {job.value.error && <p class="error">{job.value.error}</p>}
          <ol class="progress-log">
            {job.value.steps.map((s, i) => <li key={i}>{s}</li>)}
          </ol>
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>Stack</th>
            <th>State</th>
            <th>Services</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {stacks.value.map((s) => (
            <tr key={s.name} data-stack={s.name} data-state={s.state}>
              <td>
                {s.name} {s.managed && <span class="badge">Bosun</span>}
              </td>
              <td>{s.state}</td>
              <td>
                {s.services.map((svc) => (
                  <div key={svc.name}>
                    <strong>{svc.name}</strong>:{" "}
                    {svc.containers.map((c) => `${c.name} (${c.state})`).join(", ")}
                  </div>
                ))}
              </td>
              <td class="actions">
                {s.managed && (
                  <>
                    <button
                      type="button"
                      onClick={() =>
                        act(async () => {
                          const f = await api<{ compose: string; env: string }>(
                            "GET",
                            base(s.name),
                          );
                          editing.value = { name: s.name, ...f, isNew: false };
                          return "";
                        })}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      data-deploy
                      onClick={() =>
                        act(async () => {
                          follow(await api<Job>("POST", `${base(s.name)}/deploy`));
                          return `Deploying ${s.name}`;
                        })}
                    >
                      Deploy
                    </button>
                  </>
                )}
                {s.state !== "not deployed" && (
                  <>
                    {(["start", "stop", "restart"] as const).map((a) => (
                      <button
                        type="button"
                        key={a}
                        onClick={() =>
                          act(async () => {
                            await api("POST", `${base(s.name)}/${a}`);
                            return `${s.name}: ${a} done`;
                          })}
                      >
                        {a[0].toUpperCase() + a.slice(1)}
                      </button>
                    ))}
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        if (!confirm(`Take ${s.name} down (its containers and networks)?`)) return;
                        const volumes = confirm("Remove its volumes too? Their data is lost.");
                        void act(async () => {
                          await withConfirmation((confirm) =>
                            api("POST", `${base(s.name)}/down`, {
                              volumes,
                              ...(confirm ? { confirm } : {}),
                            })
                          );
                          return `${s.name} is down`;
                        });
                      }}
                    >
                      Down
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {stacks.value.length === 0 && <p class="muted">No compose projects yet.</p>}
      <TemplatePicker
        onMade={(name, compose, env) => {
          editing.value = { name, compose, env, isNew: false };
          void load();
        }}
      />
      <Converter
        onUse={(yaml) => editing.value = { name: "", compose: yaml, env: "", isNew: true }}
      />
      {props.swarm?.manager && <SwarmPanel initial={props.swarm} />}
    </div>
  );
}

/** Swarm services, stacks and nodes, when this engine is a swarm manager. */
function SwarmPanel(props: { initial: Swarm }) {
  const swarm = useSignal(props.initial);
  const error = useSignal("");
  const reload = async () => {
    swarm.value = await api<Swarm>("GET", "/api/swarm").catch(() => swarm.value);
  };
  const run = async (fn: () => Promise<unknown>) => {
    error.value = "";
    try {
      await fn();
    } catch (err) {
      error.value = problemText(err);
    }
    await reload();
  };
  return (
    <section class="swarm" data-swarm>
      <h2>Swarm</h2>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <p class="muted">
        {swarm.value.nodes.length} node(s): {swarm.value.nodes.map((n) =>
          `${n.hostname} (${n.role}${n.leader ? ", leader" : ""}, ${n.state})`
        )
          .join(", ")}
      </p>
      <table>
        <thead>
          <tr>
            <th>Service</th>
            <th>Stack</th>
            <th>Image</th>
            <th>Replicas</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {swarm.value.services.map((s) => (
            <tr key={s.id} data-service={s.name}>
              <td>{s.name}</td>
              <td>{s.stack ?? "—"}</td>
              <td>
                <code>{s.image}</code>
              </td>
              <td>{s.running} / {s.replicas ?? "global"}</td>
              <td>
                {s.replicas !== null && (
                  <button
                    type="button"
                    onClick={() => {
                      const n = prompt(`Replicas of ${s.name}`, String(s.replicas));
                      if (n === null) return;
                      void run(() =>
                        api("POST", `/api/swarm/services/${encodeURIComponent(s.name)}/scale`, {
                          replicas: Number(n),
                        })
                      );
                    }}
                  >
                    Scale
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul>
        {swarm.value.stacks.map((st) => (
          <li key={st.name}>
            {st.name}: {st.services.join(", ")}{" "}
            <button
              type="button"
              class="danger"
              onClick={() =>
                confirm(`Remove the swarm stack ${st.name} (${st.services.length} services)?`) &&
                run(() => api("DELETE", `/api/swarm/stacks/${encodeURIComponent(st.name)}`))}
            >
              Remove stack
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The compose editor: line numbers, errors at their lines while typing, save or deploy. */
function Editor(props: {
  name: string;
  compose: string;
  env: string;
  isNew: boolean;
  onClose: () => void;
  onSaved: (name: string, deploy: boolean) => void;
}) {
  const name = useSignal(props.name);
  const compose = useSignal(props.compose);
  const env = useSignal(props.env);
  const problems = useSignal<{ line: number | null; message: string }[]>([]);
  const warnings = useSignal<{ line: number | null; path: string; message: string }[]>([]);
  const error = useSignal("");
  useEffect(() => {
    const t = setTimeout(async () => {
      try {
        const r = await api<{ warnings: { line: number | null; path: string; message: string }[] }>(
          "POST",
          "/api/stacks/validate",
          { compose: compose.value, env: env.value },
        );
        problems.value = [];
        warnings.value = r.warnings;
      } catch (err) {
        if (err instanceof ApiError && err.errors.length) {
          problems.value = err.errors.map((e) => {
            const m = /^line (\d+): (.*)$/.exec(e.message);
            return {
              line: m ? Number(m[1]) : null,
              message: `${e.path ? `${e.path}: ` : ""}${m ? m[2] : e.message}`,
            };
          });
        } else problems.value = [{ line: null, message: problemText(err) }];
      }
    }, 300);
    return () => clearTimeout(t);
  }, [compose.value, env.value]);
  const bad = new Set(problems.value.map((p) => p.line));
  const lines = compose.value.split("\n").length;
  const save = async (deploy: boolean) => {
    error.value = "";
    try {
      await api("PUT", `/api/stacks/${encodeURIComponent(name.value)}`, {
        compose: compose.value,
        env: env.value,
      });
      props.onSaved(name.value, deploy);
    } catch (err) {
      error.value = problemText(err);
    }
  };
  return (
    <section class="editor" data-editor>
      <div class="row">
        <input
          name="stack"
          placeholder="stack name (lower-case)"
          required
          disabled={!props.isNew}
          pattern="[a-z0-9][a-z0-9_\-]*"
          value={name.value}
          onInput={(e) => name.value = e.currentTarget.value}
        />
        <button type="button" data-save onClick={() => save(false)}>Save</button>
        <button type="button" data-save-deploy onClick={() => save(true)}>
          Save and deploy
        </button>
        <button type="button" onClick={props.onClose}>Close</button>
      </div>
      <div class="code">
        <pre class="gutter" aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <span key={i} class={bad.has(i + 1) ? "bad" : ""}>{`${i + 1}\n`}</span>
          ))}
        </pre>
        <textarea
          name="compose"
          spellcheck={false}
          rows={Math.max(12, lines + 1)}
          value={compose.value}
          onInput={(e) => compose.value = e.currentTarget.value}
        />
      </div>
      <label>
        .env (variables for <code>$&#123;VAR&#125;</code>)
        <textarea
          name="env"
          rows={3}
          spellcheck={false}
          value={env.value}
          onInput={(e) => env.value = e.currentTarget.value}
        />
      </label>
      <ul class="problems" data-problems>
        {problems.value.map((p, i) => (
          <li key={i} class="error">{p.line ? `line ${p.line}: ` : ""}{p.message}</li>
        ))}
        {warnings.value.map((w, i) => (
          <li key={`w${i}`} class="warning">{w.line ? `line ${w.line}: ` : ""}{w.message}</li>
        ))}
      </ul>
      {error.value && <p class="error" role="alert">{error.value}</p>}
    </section>
  );
}

/** `docker run …` → compose. */
function Converter(props: { onUse: (yaml: string) => void }) {
  const command = useSignal("");
  const result = useSignal<{ yaml: string; warnings: string[] } | null>(null);
  const error = useSignal("");
  return (
    <details class="converter">
      <summary>Convert a docker run command…</summary>
      <textarea
        name="command"
        rows={3}
        placeholder="docker run -d --name web -p 8080:80 nginx"
        value={command.value}
        onInput={(e) => command.value = e.currentTarget.value}
      />
      <div class="row">
        <button
          type="button"
          data-convert
          onClick={async () => {
            error.value = "";
            try {
              result.value = await api("POST", "/api/stacks/convert", { command: command.value });
            } catch (err) {
              result.value = null;
              error.value = problemText(err);
            }
          }}
        >
          Convert
        </button>
        {result.value && (
          <button type="button" onClick={() => props.onUse(result.value!.yaml)}>
            Use as a new stack
          </button>
        )}
      </div>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {result.value && (
        <>
          <pre class="json" data-converted>{result.value.yaml}</pre>
          {result.value.warnings.map((w, i) => <p key={i} class="warning small">{w}</p>)}
        </>
      )}
    </details>
  );
}

interface Template {
  id: string;
  name: string;
  description: string;
  variables: { name: string; label: string; default: string }[];
}

/** The template gallery: pick one, fill its placeholders, get a stack to review and deploy. */
function TemplatePicker(props: { onMade: (name: string, compose: string, env: string) => void }) {
  const templates = useSignal<Template[] | null>(null);
  const chosen = useSignal<Template | null>(null);
  const stack = useSignal("");
  const values = useSignal<Record<string, string>>({});
  const error = useSignal("");
  return (
    <details
      class="templates"
      onToggle={async (e) => {
        if ((e.currentTarget as HTMLDetailsElement).open && !templates.value) {
          templates.value = await api<Template[]>("GET", "/api/stacks/templates").catch(() => []);
        }
      }}
    >
      <summary>From a template…</summary>
      <div class="row">
        {(templates.value ?? []).map((t) => (
          <button
            type="button"
            key={t.id}
            data-template={t.id}
            title={t.description}
            onClick={() => {
              chosen.value = t;
              stack.value = t.id;
              values.value = Object.fromEntries(
                t.variables.map((v) => [v.name, v.default.replaceAll("{stack}", t.id)]),
              );
            }}
          >
            {t.name}
          </button>
        ))}
      </div>
      {chosen.value && (
        <form
          aria-label="Fill the template"
          onSubmit={async (e) => {
            e.preventDefault();
            error.value = "";
            try {
              const r = await api<{ name: string; compose: string; env: string }>(
                "POST",
                `/api/stacks/templates/${chosen.value!.id}`,
                { stack: stack.value, values: values.value },
              );
              props.onMade(r.name, r.compose, r.env);
              chosen.value = null;
            } catch (err) {
              error.value = problemText(err);
            }
          }}
        >
          <p class="muted">{chosen.value.description}</p>
          <label>
            Stack name
            <input
              name="stack"
              value={stack.value}
              onInput={(e) => stack.value = e.currentTarget.value}
            />
          </label>
          {chosen.value.variables.map((v) => (
            <label key={v.name}>
              {v.label}
              <input
                name={v.name}
                value={values.value[v.name] ?? ""}
                onInput={(e) => values.value = { ...values.value, [v.name]: e.currentTarget.value }}
              />
            </label>
          ))}
          {error.value && <p class="error" role="alert">{error.value}</p>}
          <button type="submit">Create the stack (review before deploying)</button>
        </form>
      )}
    </details>
  );
}
