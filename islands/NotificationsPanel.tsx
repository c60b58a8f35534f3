/**
 * Settings → Notifications: channels (SMTP, webhook, ntfy, Gotify, Discord, Slack) with the
 * events each receives, last delivery and error, send test, edit (the stored secret is never
 * shown; leaving it blank keeps it) and remove.
 */
import { useSignal } from "@preact/signals";
import type { ChannelConfig } from "../lib/shared/notifications.ts";
import { api, problemText } from "./_api.ts";

interface ChannelView {
  id: number;
  name: string;
  config: ChannelConfig;
  hasSecret: boolean;
  events: string[];
  enabled: boolean;
  lastSentAt: string | null;
  lastError: string | null;
}

/** Props of NotificationsPanel. */
export interface NotificationsPanelProps {
  events: string[];
  channels: ChannelView[];
}

const KINDS = ["smtp", "webhook", "ntfy", "gotify", "discord", "slack"] as const;
const SECRET_LABEL: Record<string, string> = {
  smtp: "SMTP password",
  webhook: "Bearer token (optional)",
  ntfy: "Access token (optional)",
  gotify: "Application token",
  discord: "Discord webhook URL",
  slack: "Slack webhook URL",
};

/** The channels list and editor. */
export default function NotificationsPanel(props: NotificationsPanelProps) {
  const channels = useSignal(props.channels);
  const editing = useSignal<ChannelView | "new" | null>(null);
  const status = useSignal("");
  const error = useSignal("");
  const reload = async () => {
    const r = await api<NotificationsPanelProps>("GET", "/api/notifications").catch(() => null);
    if (r) channels.value = r.channels;
  };
  return (
    <div class="notifications">
      <ul class="channels">
        {channels.value.map((c) => (
          <li key={c.id} data-channel={c.name}>
            <strong>{c.name}</strong> <span class="badge">{c.config.kind}</span>
            {!c.enabled && <span class="badge">off</span>}{" "}
            <span class="muted">{c.events.join(", ")}</span> {c.lastError
              ? <span class="error">last delivery failed: {c.lastError}</span>
              : c.lastSentAt && <span class="muted">last sent {c.lastSentAt.slice(0, 16)}</span>}
            <button
              type="button"
              onClick={async () => {
                status.value = error.value = "";
                try {
                  const r = await api<{ ok: boolean; error: string | null }>(
                    "POST",
                    `/api/notifications/${c.id}/test`,
                  );
                  if (r.ok) status.value = `Test sent over ${c.name}`;
                  else error.value = `${c.name}: ${r.error}`;
                } catch (err) {
                  error.value = problemText(err);
                }
                await reload();
              }}
            >
              Send test
            </button>
            <button type="button" onClick={() => editing.value = c}>Edit</button>
            <button
              type="button"
              class="danger"
              onClick={async () => {
                if (!confirm(`Remove the channel ${c.name}?`)) return;
                await api("DELETE", `/api/notifications/${c.id}`).catch((err) =>
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
      {channels.value.length === 0 && <p class="muted">No notification channels yet.</p>}
      {status.value && <p class="muted" role="status">{status.value}</p>}
      {error.value && <p class="error" role="alert">{error.value}</p>}
      <button type="button" onClick={() => editing.value = "new"}>Add channel</button>
      {editing.value && (
        <ChannelEditor
          initial={editing.value === "new" ? null : editing.value}
          events={props.events}
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

function ChannelEditor(
  props: {
    initial: ChannelView | null;
    events: string[];
    onDone: (text: string) => void;
    onCancel: () => void;
  },
) {
  const i = props.initial;
  const c = (i?.config ?? { kind: "webhook", url: "" }) as Record<string, unknown>;
  const name = useSignal(i?.name ?? "");
  const kind = useSignal<string>(String(c.kind));
  const url = useSignal(String(c.url ?? ""));
  const host = useSignal(String(c.host ?? ""));
  const port = useSignal(Number(c.port ?? 587));
  const security = useSignal(String(c.security ?? "starttls"));
  const username = useSignal(String(c.username ?? ""));
  const from = useSignal(String(c.from ?? ""));
  const to = useSignal(((c.to as string[] | undefined) ?? []).join(", "));
  const secret = useSignal("");
  const events = useSignal<string[]>(i?.events ?? props.events);
  const enabled = useSignal(i?.enabled ?? true);
  const error = useSignal("");

  const save = async (e: Event) => {
    e.preventDefault();
    const config = kind.value === "smtp"
      ? {
        kind: "smtp",
        host: host.value,
        port: port.value,
        security: security.value,
        ...(username.value ? { username: username.value } : {}),
        from: from.value,
        to: to.value.split(",").map((x) => x.trim()).filter(Boolean),
      }
      : ["webhook", "ntfy", "gotify"].includes(kind.value)
      ? { kind: kind.value, url: url.value }
      : { kind: kind.value };
    const body = {
      name: name.value,
      config,
      ...(secret.value ? { secret: secret.value } : {}),
      events: events.value,
      enabled: enabled.value,
    };
    try {
      if (i) await api("PUT", `/api/notifications/${i.id}`, body);
      else await api("POST", "/api/notifications", body);
      props.onDone(`Saved ${name.value}`);
    } catch (err) {
      error.value = problemText(err);
    }
  };

  return (
    <form class="dialog auth-form" aria-label="Notification channel" onSubmit={save}>
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
        Kind
        <select
          name="kind"
          value={kind.value}
          onChange={(e) => kind.value = e.currentTarget.value}
        >
          {KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </label>
      {["webhook", "ntfy", "gotify"].includes(kind.value) && (
        <label>
          URL
          <input
            name="url"
            type="url"
            required
            value={url.value}
            onInput={(e) => url.value = e.currentTarget.value}
          />
        </label>
      )}
      {kind.value === "smtp" && (
        <>
          <label>
            Host
            <input value={host.value} onInput={(e) => host.value = e.currentTarget.value} />
          </label>
          <label>
            Port
            <input
              type="number"
              value={port.value}
              onInput={(e) => port.value = Number(e.currentTarget.value)}
            />
          </label>
          <label>
            Security
            <select
              value={security.value}
              onChange={(e) => security.value = e.currentTarget.value}
            >
              <option value="starttls">STARTTLS</option>
              <option value="tls">TLS</option>
              <option value="none">none</option>
            </select>
          </label>
          <label>
            User name
            <input
              value={username.value}
              onInput={(e) => username.value = e.currentTarget.value}
            />
          </label>
          <label>
            From
            <input value={from.value} onInput={(e) => from.value = e.currentTarget.value} />
          </label>
          <label>
            To (comma-separated)
            <input value={to.value} onInput={(e) => to.value = e.currentTarget.value} />
          </label>
        </>
      )}
      <label>
        {SECRET_LABEL[kind.value]}
        <input
          name="secret"
          type="password"
          autocomplete="off"
          placeholder={i?.hasSecret ? "stored — leave blank to keep" : ""}
          value={secret.value}
          onInput={(e) => secret.value = e.currentTarget.value}
        />
      </label>
      <fieldset>
        <legend>Events</legend>
        {props.events.map((ev) => (
          <label class="inline" key={ev}>
            <input
              type="checkbox"
              checked={events.value.includes(ev)}
              onChange={(e) =>
                events.value = e.currentTarget.checked
                  ? [...events.value, ev]
                  : events.value.filter((x) => x !== ev)}
            />{" "}
            {ev}
          </label>
        ))}
      </fieldset>
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
