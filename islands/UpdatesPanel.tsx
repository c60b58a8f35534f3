/**
 * The Updates page: per-container update state from the last check (with policy and pin),
 * check now, update / redeploy one, update all (PRD only when confirmed), live progress of
 * every step, history with manual rollback, and registry logins.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import {
  UPDATE_POLICIES,
  type UpdateAllSummary,
  type UpdatePolicy,
  type UpdateRecord,
  type UpdateState,
} from "../lib/shared/updates.ts";
import { api, problemText, useActions } from "./_api.ts";

interface Login {
  registry: string;
  username: string;
}

/** Props of UpdatesPanel, rendered on the server. */
export interface UpdatesPanelProps {
  states: UpdateState[];
  lastCheck: number | null;
  history: UpdateRecord[];
  registries: Login[];
}

const short = (d: string | null) => d ? d.replace(/^sha256:/, "").slice(0, 12) : "—";
const when = (t: number | null) =>
  t ? new Date(t).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "never";

const STATUS_TEXT: Record<UpdateState["status"], string> = {
  available: "update available",
  current: "up to date",
  error: "check failed",
  pinned: "pinned by digest",
  unknown: "cannot compare",
};
const URGENCY = ["available", "error", "current", "unknown", "pinned"];
const byUrgency = (a: UpdateState, b: UpdateState) =>
  URGENCY.indexOf(a.status) - URGENCY.indexOf(b.status) || a.container.localeCompare(b.container);

/** The updates panel. */
export default function UpdatesPanel(props: UpdatesPanelProps) {
  const states = useSignal(props.states);
  const lastCheck = useSignal(props.lastCheck);
  const history = useSignal(props.history);
  const registries = useSignal(props.registries);
  const progress = useSignal<string[]>([]);
  const run = useSignal<{ status: string; summary: UpdateAllSummary } | null>(null);
  const confirmPrd = useSignal(false);
  const { status, error, busy, act } = useActions(() => reload());
  const login = useSignal({ registry: "", username: "", password: "" });

  const reload = async () => {
    const [u, h, r] = await Promise.all([
      api<{ states: UpdateState[]; lastCheck: number | null }>("GET", "/api/updates"),
      api<UpdateRecord[]>("GET", "/api/updates/history?limit=50"),
      api<Login[]>("GET", "/api/updates/registries"),
    ]).catch((err) => (error.value = problemText(err), [null, null, null] as const));
    if (u) (states.value = u.states, lastCheck.value = u.lastCheck);
    if (h) history.value = h;
    if (r) registries.value = r;
  };

  useEffect(() => {
    const source = new EventSource("/api/updates/stream");
    const add = (line: string) => progress.value = [...progress.value.slice(-39), line];
    source.addEventListener("step", (e) => {
      const d = JSON.parse((e as MessageEvent).data);
      add(`${d.container}: ${d.step}${d.detail ? ` — ${d.detail}` : ""}`);
    });
    source.addEventListener("outcome", (e) => {
      const { outcome } = JSON.parse((e as MessageEvent).data);
      add(`${outcome.container}: ${outcome.status}${outcome.error ? ` (${outcome.error})` : ""}`);
      void reload();
    });
    source.addEventListener("run", (e) => {
      run.value = JSON.parse((e as MessageEvent).data).run;
    });
    source.addEventListener("check", () => void reload());
    return () => source.close();
  }, []);

  const available = states.value.filter((s) => s.status === "available" && !s.pinned).length;
  const update = (s: UpdateState, kind: "update" | "redeploy") => {
    const verb = kind === "update" ? "Update" : "Redeploy";
    let confirmName: string | undefined;
    if (s.effectiveEnvironment === "PRD") {
      const typed = prompt(
        `${s.container} is tagged PRD (it is backed up first). Type its name to ${kind} it:`,
      );
      if (typed !== s.container) return;
      confirmName = typed;
    } else if (!confirm(`${verb} ${s.container}?`)) return;
    void act(async () => {
      await api("POST", `/api/updates/containers/${encodeURIComponent(s.container)}/${kind}`, {
        ...(confirmName ? { confirm: confirmName } : {}),
      });
      return `${verb} of ${s.container} queued`;
    });
  };

  return (
    <div class="updates">
      <div class="toolbar row">
        <button
          type="button"
          data-check
          disabled={busy.value}
          onClick={() =>
            act(async () => {
              const r = await api<{ available: number; failedRegistries: { registry: string }[] }>(
                "POST",
                "/api/updates/check",
                {},
              );
              const failed = r.failedRegistries.map((f) => f.registry);
              return `${r.available} update(s) available` +
                (failed.length ? `; could not reach ${failed.join(", ")}` : "");
            })}
        >
          Check now
        </button>
        <span class="muted" data-last-check>Last check: {when(lastCheck.value)}</span>
        <label class="check">
          <input
            type="checkbox"
            name="confirmPrd"
            checked={confirmPrd.value}
            onChange={(e) => confirmPrd.value = e.currentTarget.checked}
          />
          include PRD containers
        </label>
        <button
          type="button"
          data-update-all
          disabled={busy.value || available === 0}
          onClick={() =>
            confirm(`Update ${available} container(s) one at a time?`) &&
            act(async () => {
              // Each PRD container is included only when its name is typed.
              const names = confirmPrd.value
                ? states.value.filter((s) =>
                  s.effectiveEnvironment === "PRD" && s.status === "available" && !s.pinned
                ).map((s) => s.container).filter((n) =>
                  prompt(`Type ${n} to include this PRD container`) === n
                )
                : [];
              run.value = await api("POST", "/api/updates/all", { confirm: names });
              return "Update all started";
            })}
        >
          Update all ({available})
        </button>
      </div>
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      {run.value && (
        <p data-run={run.value.status}>
          Update all {run.value.status}: {run.value.summary.updated.length} updated,{" "}
          {run.value.summary.rolledBack.length} rolled back, {run.value.summary.failed.length}{" "}
          failed, {run.value.summary.skipped.length} skipped
          {run.value.summary.stoppedBy ? ` — stopped: ${run.value.summary.stoppedBy}` : ""}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Container</th>
            <th>Image</th>
            <th>Status</th>
            <th>Local → registry</th>
            <th>Automatic updates</th>
            <th>Pinned</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {[...states.value].sort(byUrgency).map((s) => (
            <tr key={s.container} data-container={s.container} data-status={s.status}>
              <td>
                {s.container}{" "}
                {s.environment && <span class={`badge env-${s.environment}`}>{s.environment}</span>}
              </td>
              <td>
                <code>{s.image}</code>
              </td>
              <td title={s.error ?? ""}>
                {STATUS_TEXT[s.status]}
                {s.status === "error" && s.error && <div class="error small">{s.error}</div>}
              </td>
              <td>
                <code>{short(s.localDigest)}</code>
                {s.status === "available" && (
                  <>
                    → <code>{short(s.remoteDigest)}</code>
                  </>
                )}
              </td>
              <td>
                <select
                  aria-label={`Automatic updates for ${s.container}`}
                  value={s.policySet ? s.policy : ""}
                  onChange={(e) => {
                    const v = e.currentTarget.value;
                    void act(async () => {
                      await api("PUT", `/api/updates/policies/${encodeURIComponent(s.container)}`, {
                        policy: v === "" ? null : v as UpdatePolicy,
                      });
                      return `Policy of ${s.container} saved`;
                    });
                  }}
                >
                  <option value="">default ({s.policySet ? "…" : s.policy})</option>
                  {UPDATE_POLICIES.map((p) => <option key={p} value={p}>{p}</option>)}
                </select>
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Don't update ${s.container}`}
                  checked={s.pinned}
                  onChange={(e) => {
                    const pinned = e.currentTarget.checked;
                    void act(async () => {
                      await api("PUT", `/api/updates/policies/${encodeURIComponent(s.container)}`, {
                        pinned,
                      });
                      return `${s.container} ${pinned ? "pinned" : "unpinned"}`;
                    });
                  }}
                />
              </td>
              <td class="actions">
                <button
                  type="button"
                  data-update
                  disabled={busy.value || s.status !== "available" || s.pinned}
                  onClick={() =>
                    update(s, "update")}
                >
                  Update
                </button>
                <button
                  type="button"
                  disabled={busy.value || s.status === "pinned"}
                  onClick={() =>
                    update(s, "redeploy")}
                >
                  Redeploy
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {progress.value.length > 0 && (
        <section>
          <h2>Progress</h2>
          <ol class="progress-log" aria-live="polite">
            {progress.value.map((line, i) => <li key={i}>{line}</li>)}
          </ol>
        </section>
      )}
      <section>
        <h2>History</h2>
        <table data-history>
          <thead>
            <tr>
              <th>Started</th>
              <th>Container</th>
              <th>Kind</th>
              <th>Result</th>
              <th>Old → new image</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {history.value.map((h) => (
              <tr key={h.id} data-history-id={h.id} data-result={h.status}>
                <td>{when(h.startedAt)}</td>
                <td>{h.container}</td>
                <td>{h.kind}</td>
                <td title={h.error ?? ""}>
                  {h.status}
                  {h.error && <div class="muted small">{h.error}</div>}
                </td>
                <td>
                  <code>{short(h.oldImageId)}</code> → <code>{short(h.newImageId)}</code>
                </td>
                <td>
                  {h.canRollBack && (
                    <button
                      type="button"
                      onClick={() =>
                        confirm(`Roll ${h.container} back to ${short(h.oldImageId)}?`) &&
                        act(async () => {
                          await api("POST", `/api/updates/history/${h.id}/rollback`);
                          return `Rollback of ${h.container} queued`;
                        })}
                    >
                      Roll back
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {history.value.length === 0 && <p class="muted">No updates yet.</p>}
      </section>
      <section>
        <h2>Registry logins</h2>
        <p class="muted">
          Used for update checks and pulls; passwords are encrypted at rest and never shown.
        </p>
        <ul>
          {registries.value.map((r) => (
            <li key={r.registry}>
              <code>{r.registry}</code> as {r.username}{" "}
              <button
                type="button"
                class="link"
                onClick={() =>
                  act(async () => {
                    await api(
                      "DELETE",
                      `/api/updates/registries/${encodeURIComponent(r.registry)}`,
                    );
                    return `Forgot ${r.registry}`;
                  })}
              >
                forget
              </button>
            </li>
          ))}
        </ul>
        <form
          class="row"
          aria-label="Add a registry login"
          onSubmit={(e) => {
            e.preventDefault();
            const { registry, ...body } = login.value;
            void act(async () => {
              await api("PUT", `/api/updates/registries/${encodeURIComponent(registry)}`, body);
              login.value = { registry: "", username: "", password: "" };
              return `Saved the login for ${registry}`;
            });
          }}
        >
          <input
            name="registry"
            placeholder="registry, e.g. ghcr.io"
            required
            value={login.value.registry}
            onInput={(e) => login.value = { ...login.value, registry: e.currentTarget.value }}
          />
          <input
            name="username"
            placeholder="username"
            required
            value={login.value.username}
            onInput={(e) => login.value = { ...login.value, username: e.currentTarget.value }}
          />
          <input
            name="password"
            type="password"
            placeholder="password or token (blank keeps the stored one)"
            autoComplete="off"
            value={login.value.password}
            onInput={(e) => login.value = { ...login.value, password: e.currentTarget.value }}
          />
          <button type="submit">Save login</button>
        </form>
      </section>
    </div>
  );
}
