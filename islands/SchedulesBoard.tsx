/**
 * The Schedules page: every schedule with its next run (and the server's clock), last
 * result, run now, enable/disable, the retention dry run, delete; and an editor with presets
 * (daily at an hour, weekly on a day) or a cron expression, previewing the next five runs.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { RetentionPolicySpec, ScheduleSpec } from "../lib/shared/schedules.ts";
import { api, problemText } from "./_api.ts";

interface RunView {
  id: number;
  trigger: string;
  status: string;
  startedAt: string;
  summary: {
    backedUp: unknown[];
    failed: { container: string; error: string }[];
    skipped: { container: string; reason: string }[];
    pruned: unknown[];
    note?: string;
  } | null;
}

/** A schedule as the API lists it. */
export interface ScheduleView extends ScheduleSpec {
  id: number;
  nextRun: string | null;
  running: boolean;
  lastRun: RunView | null;
}

/** Props of SchedulesBoard. */
export interface SchedulesBoardProps {
  serverTime: string;
  serverTimeZone: string;
  schedules: ScheduleView[];
}

interface Decision {
  file: string;
  container: string;
  created: string;
  keep: boolean;
  reasons: string[];
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const KEEP = ["keepLast", "keepDaily", "keepWeekly", "keepMonthly", "keepYearly"] as const;

const when = (iso: string | null) => iso ? iso.replace("T", " ").slice(0, 19) + " UTC" : "—";

function selectionText(s: ScheduleSpec["selection"]): string {
  switch (s.mode) {
    case "all":
      return "all containers";
    case "containers":
      return s.containers.join(", ");
    case "label":
      return `label ${s.label}`;
    case "project":
      return `compose project ${s.project}`;
  }
}

/** Schedules list and editor. */
export default function SchedulesBoard(props: SchedulesBoardProps) {
  const schedules = useSignal(props.schedules);
  const serverTime = useSignal(props.serverTime);
  const editing = useSignal<ScheduleView | "new" | null>(null);
  const dryRun = useSignal<{ id: number; decisions: Decision[] } | null>(null);
  const message = useSignal("");
  const status = useSignal("");

  const reload = async () => {
    const r = await api<SchedulesBoardProps>("GET", "/api/schedules").catch(() => null);
    if (r) (schedules.value = r.schedules, serverTime.value = r.serverTime);
  };
  useEffect(() => {
    const t = setInterval(() => void reload(), 5000);
    return () => clearInterval(t);
  }, []);

  const act = async (label: string, fn: () => Promise<unknown>) => {
    message.value = "";
    try {
      await fn();
      await reload();
    } catch (err) {
      message.value = `${label}: ${problemText(err)}`;
    }
  };

  return (
    <div class="schedules">
      <p class="muted" data-server-clock>
        Server clock: {when(serverTime.value)} (time zone {props.serverTimeZone})
      </p>
      <div class="row">
        <button type="button" onClick={() => editing.value = "new"}>New schedule</button>
      </div>
      {message.value && <p class="error" role="alert">{message.value}</p>}
      {status.value && <p class="muted" role="status">{status.value}</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>When</th>
            <th>Backs up</th>
            <th>Next run</th>
            <th>Last run</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {schedules.value.map((s) => (
            <tr key={s.id} data-schedule={s.name}>
              <td>
                {s.name}
                {!s.enabled && <span class="badge">off</span>}
                {s.running && <span class="badge">running</span>}
              </td>
              <td>
                <code>{s.cron}</code> <span class="muted">{s.timezone}</span>
              </td>
              <td>{selectionText(s.selection)}</td>
              <td data-next-run>{s.enabled ? when(s.nextRun) : "disabled"}</td>
              <td data-last-run>
                {s.lastRun
                  ? (
                    <>
                      <strong>{s.lastRun.status}</strong> {when(s.lastRun.startedAt)}
                      {s.lastRun.summary && (
                        <span class="muted">
                          {` · ${s.lastRun.summary.backedUp.length} backed up, ` +
                            `${s.lastRun.summary.failed.length} failed, ` +
                            `${s.lastRun.summary.pruned.length} pruned` +
                            (s.lastRun.summary.skipped.length
                              ? `, skipped ${
                                s.lastRun.summary.skipped.map((k) => k.container).join(", ")
                              }`
                              : "")}
                        </span>
                      )}
                    </>
                  )
                  : "never"}
              </td>
              <td class="row">
                <button
                  type="button"
                  onClick={() =>
                    act("Run now", async () => {
                      await api("POST", `/api/schedules/${s.id}/run`);
                      status.value = `Started ${s.name}`;
                    })}
                >
                  Run now
                </button>
                <button type="button" onClick={() => editing.value = s}>Edit</button>
                <button
                  type="button"
                  onClick={() =>
                    act("Retention", async () => {
                      dryRun.value = {
                        id: s.id,
                        decisions: await api<Decision[]>("GET", `/api/schedules/${s.id}/retention`),
                      };
                    })}
                >
                  Retention…
                </button>
                <button
                  type="button"
                  class="danger"
                  onClick={() =>
                    confirm(`Delete the schedule ${s.name}? Its backups stay.`) &&
                    act("Delete", () => api("DELETE", `/api/schedules/${s.id}`))}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {schedules.value.length === 0 && <p class="muted">No schedules yet.</p>}
      {dryRun.value && (
        <section class="dialog" aria-label="Retention dry run">
          <h3>What retention keeps now</h3>
          <ul>
            {dryRun.value.decisions.map((d) => (
              <li key={d.file} data-keep={String(d.keep)}>
                {d.keep ? "keep" : <strong class="error">delete</strong>} <code>{d.file}</code>{" "}
                <span class="muted">{d.reasons.join(", ")}</span>
              </li>
            ))}
          </ul>
          {dryRun.value.decisions.length === 0 && <p class="muted">Nothing to decide yet.</p>}
          <button
            type="button"
            onClick={() => dryRun.value = null}
          >
            Close
          </button>
        </section>
      )}
      {editing.value && (
        <ScheduleEditor
          initial={editing.value === "new" ? null : editing.value}
          timezone={props.serverTimeZone}
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

function ScheduleEditor(
  props: {
    initial: ScheduleView | null;
    timezone: string;
    onDone: (text: string) => void;
    onCancel: () => void;
  },
) {
  const i = props.initial;
  const name = useSignal(i?.name ?? "");
  const preset = useSignal<"daily" | "weekly" | "custom">(i ? "custom" : "daily");
  const hour = useSignal(3);
  const day = useSignal(0);
  const cron = useSignal(i?.cron ?? "0 3 * * *");
  const timezone = useSignal(i?.timezone ?? props.timezone);
  const mode = useSignal(i?.selection.mode ?? "all");
  const target = useSignal(
    i?.selection.mode === "containers"
      ? i.selection.containers.join(", ")
      : i?.selection.mode === "label"
      ? i.selection.label
      : i?.selection.mode === "project"
      ? i.selection.project
      : "",
  );
  const consistency = useSignal(i?.consistency ?? "live");
  const compression = useSignal(i?.compression ?? "gzip");
  const retention = useSignal<RetentionPolicySpec>(i?.retention ?? { keepDaily: 7, keepWeekly: 4 });
  const enabled = useSignal(i?.enabled ?? true);
  const includeConfig = useSignal(i?.includeConfig ?? false);
  const targets = useSignal<number[]>(i?.targets ?? []);
  const available = useSignal<{ id: number; name: string }[]>([]);
  useEffect(() => {
    api<{ id: number; name: string }[]>("GET", "/api/storage").then(
      (list) => available.value = list,
      () => {},
    );
  }, []);
  const preview = useSignal<string[]>([]);
  const error = useSignal("");

  const effectiveCron = preset.value === "daily"
    ? `0 ${hour.value} * * *`
    : preset.value === "weekly"
    ? `0 ${hour.value} * * ${day.value}`
    : cron.value;

  useEffect(() => {
    const t = setTimeout(() => {
      api<{ runs: string[] }>("POST", "/api/schedules/preview", {
        cron: effectiveCron,
        timezone: timezone.value,
      }).then((r) => (preview.value = r.runs, error.value = ""), (err) => {
        preview.value = [];
        error.value = problemText(err);
      });
    }, 250);
    return () => clearTimeout(t);
  }, [effectiveCron, timezone.value]);

  const save = async (e: Event) => {
    e.preventDefault();
    const list = target.value.split(",").map((x) => x.trim()).filter(Boolean);
    const selection = mode.value === "all"
      ? { mode: "all" }
      : mode.value === "containers"
      ? { mode: "containers", containers: list }
      : mode.value === "label"
      ? { mode: "label", label: target.value.trim() }
      : { mode: "project", project: target.value.trim() };
    const body = {
      name: name.value,
      cron: effectiveCron,
      timezone: timezone.value,
      selection,
      consistency: consistency.value,
      compression: compression.value,
      retention: Object.fromEntries(
        Object.entries(retention.value).filter(([, v]) => typeof v === "number" && v > 0),
      ),
      containerRetention: i?.containerRetention ?? {},
      includeConfig: includeConfig.value,
      targets: targets.value,
      enabled: enabled.value,
    };
    try {
      if (i) await api("PUT", `/api/schedules/${i.id}`, body);
      else await api("POST", "/api/schedules", body);
      props.onDone(`Saved ${name.value}`);
    } catch (err) {
      error.value = problemText(err);
    }
  };

  return (
    <form class="dialog auth-form" aria-label="Schedule" onSubmit={save}>
      <h3>{i ? `Edit ${i.name}` : "New schedule"}</h3>
      <label>
        Name
        <input
          name="name"
          required
          value={name.value}
          onInput={(e) => name.value = e.currentTarget.value}
        />
      </label>
      <label>
        When
        <select
          name="preset"
          value={preset.value}
          onChange={(e) => preset.value = e.currentTarget.value as typeof preset.value}
        >
          <option value="daily">daily at an hour</option>
          <option value="weekly">weekly on a day</option>
          <option value="custom">cron expression</option>
        </select>
      </label>
      {preset.value !== "custom" && (
        <label>
          Hour
          <input
            type="number"
            min="0"
            max="23"
            value={hour.value}
            onInput={(e) => hour.value = Number(e.currentTarget.value)}
          />
        </label>
      )}
      {preset.value === "weekly" && (
        <label>
          Day
          <select value={day.value} onChange={(e) => day.value = Number(e.currentTarget.value)}>
            {DAYS.map((d, n) => <option key={d} value={n}>{d}</option>)}
          </select>
        </label>
      )}
      {preset.value === "custom" && (
        <label>
          Cron (5 fields, or 6 with seconds)
          <input
            name="cron"
            value={cron.value}
            onInput={(e) => cron.value = e.currentTarget.value}
          />
        </label>
      )}
      <label>
        Time zone
        <input
          name="timezone"
          value={timezone.value}
          onInput={(e) => timezone.value = e.currentTarget.value}
        />
      </label>
      <div class="muted" aria-label="Next runs">
        {preview.value.length > 0 && <>Next runs: {preview.value.map(when).join(" · ")}</>}
      </div>
      <label>
        Back up
        <select
          name="mode"
          value={mode.value}
          onChange={(e) => mode.value = e.currentTarget.value as typeof mode.value}
        >
          <option value="all">all containers (also ones created later)</option>
          <option value="containers">these containers</option>
          <option value="label">containers with a label</option>
          <option value="project">a compose project</option>
        </select>
      </label>
      {mode.value !== "all" && (
        <input
          name="target"
          aria-label="Containers, label or project"
          placeholder={mode.value === "containers"
            ? "web, db"
            : mode.value === "label"
            ? "backup=nightly"
            : "project name"}
          value={target.value}
          onInput={(e) => target.value = e.currentTarget.value}
        />
      )}
      <label>
        Consistency
        <select
          value={consistency.value}
          onChange={(e) => consistency.value = e.currentTarget.value as typeof consistency.value}
        >
          <option value="live">live</option>
          <option value="pause">pause during the backup</option>
          <option value="stop">stop during the backup</option>
        </select>
      </label>
      <label>
        Compression
        <select
          value={compression.value}
          onChange={(e) => compression.value = e.currentTarget.value as typeof compression.value}
        >
          <option value="gzip">gzip</option>
          <option value="zstd">zstd</option>
        </select>
      </label>
      <fieldset>
        <legend>Keep (empty: keep everything)</legend>
        {KEEP.map((k) => (
          <label class="inline" key={k}>
            {k.replace("keep", "").toLowerCase()}{" "}
            <input
              type="number"
              min="0"
              name={k}
              value={retention.value[k] ?? ""}
              onInput={(e) =>
                retention.value = {
                  ...retention.value,
                  [k]: e.currentTarget.value ? Number(e.currentTarget.value) : undefined,
                }}
            />
          </label>
        ))}
      </fieldset>
      {available.value.length > 0 && (
        <fieldset>
          <legend>Also copy to</legend>
          {available.value.map((t) => (
            <label class="inline" key={t.id}>
              <input
                type="checkbox"
                checked={targets.value.includes(t.id)}
                onChange={(e) =>
                  targets.value = e.currentTarget.checked
                    ? [...targets.value, t.id]
                    : targets.value.filter((x) => x !== t.id)}
              />{" "}
              {t.name}
            </label>
          ))}
        </fieldset>
      )}
      <label class="inline">
        <input
          type="checkbox"
          name="includeConfig"
          checked={includeConfig.value}
          onChange={(e) => includeConfig.value = e.currentTarget.checked}
        />{" "}
        also back up Bosun's own configuration
      </label>
      <label class="inline">
        <input
          type="checkbox"
          checked={enabled.value}
          onChange={(e) => enabled.value = e.currentTarget.checked}
        />{" "}
        enabled
      </label>
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <div class="row">
        <button type="submit">Save</button>
        <button type="button" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
