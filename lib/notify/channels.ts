/**
 * Notification channels in SQLite. The secret of a channel (SMTP password, ntfy/Gotify
 * token, Discord/Slack webhook URL, a webhook's bearer token) is sealed with the secrets box
 * and never returned: the API shows whether one is stored, and saving with it blank keeps it.
 */
import type { DatabaseSync } from "node:sqlite";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { SecretBox } from "../secrets/secret_box.ts";
import { assertOutboundUrl } from "./url_guard.ts";
import {
  type ChannelConfig,
  ChannelConfigSchema,
  type ChannelInput,
  type NotificationEventType,
} from "../shared/notifications.ts";

/** A channel as the API shows it. */
export interface ChannelView {
  id: number;
  name: string;
  config: ChannelConfig;
  hasSecret: boolean;
  events: NotificationEventType[];
  enabled: boolean;
  lastSentAt: string | null;
  lastError: string | null;
}

/** A channel with its secret opened, for sending. */
export interface Channel extends ChannelView {
  secret: string | null;
}

interface Row {
  id: number;
  name: string;
  kind: string;
  config: string;
  secret: string | null;
  events: string;
  enabled: number;
  last_sent_at: number | null;
  last_error: string | null;
}

const NEEDS_SECRET = new Set(["discord", "slack", "gotify"]);

function toView(row: Row): ChannelView {
  return {
    id: row.id,
    name: row.name,
    config: ChannelConfigSchema.parse(JSON.parse(row.config)),
    hasSecret: row.secret !== null,
    events: JSON.parse(row.events),
    enabled: row.enabled === 1,
    lastSentAt: row.last_sent_at ? new Date(row.last_sent_at).toISOString() : null,
    lastError: row.last_error,
  };
}

/** Every channel (secrets masked). */
export function listChannels(db: DatabaseSync): ChannelView[] {
  return (db.prepare("SELECT * FROM notification_channels ORDER BY name").all() as unknown as Row[])
    .map(toView);
}

function row(db: DatabaseSync, id: number): Row {
  const r = db.prepare("SELECT * FROM notification_channels WHERE id = ?").get(id) as
    | Row
    | undefined;
  if (!r) throw new NotFoundError(`No notification channel ${id}`);
  return r;
}

/** One channel with its secret opened. */
export async function openChannel(db: DatabaseSync, box: SecretBox, id: number): Promise<Channel> {
  const r = row(db, id);
  return { ...toView(r), secret: r.secret ? await box.decrypt(r.secret) : null };
}

function checkSecret(input: ChannelInput, stored: boolean): void {
  const kind = input.config.kind;
  const secret = input.secret?.trim();
  if (NEEDS_SECRET.has(kind) && !secret && !stored) {
    throw new ValidationError(
      kind === "gotify"
        ? "A Gotify channel needs its application token"
        : `A ${kind} channel needs its webhook URL (kept secret)`,
      [{ path: "secret", message: "required" }],
    );
  }
  if ((kind === "discord" || kind === "slack") && secret && !/^https?:\/\//.test(secret)) {
    throw new ValidationError("The webhook URL must be an http(s) URL", [
      { path: "secret", message: "an http(s) URL" },
    ]);
  }
}

/** Creates or replaces a channel; a blank secret keeps the stored one. */
export async function saveChannel(
  db: DatabaseSync,
  box: SecretBox,
  input: ChannelInput,
  id?: number,
): Promise<ChannelView> {
  const existing = id === undefined ? undefined : row(db, id);
  checkSecret(input, existing?.secret != null && existing.kind === input.config.kind);
  if ("url" in input.config) await assertOutboundUrl(input.config.url);
  if ((input.config.kind === "discord" || input.config.kind === "slack") && input.secret?.trim()) {
    await assertOutboundUrl(input.secret.trim());
  }
  const secret = input.secret?.trim()
    ? await box.encrypt(input.secret.trim())
    : existing?.kind === input.config.kind
    ? existing.secret
    : null;
  const values = [
    input.name,
    input.config.kind,
    JSON.stringify(input.config),
    secret,
    JSON.stringify(input.events),
    input.enabled ? 1 : 0,
  ];
  try {
    if (existing) {
      db.prepare(
        `UPDATE notification_channels SET name = ?, kind = ?, config = ?, secret = ?, events = ?,
           enabled = ? WHERE id = ?`,
      ).run(...values, existing.id);
      return toView(row(db, existing.id));
    }
    const newId = Number(
      db.prepare(
        `INSERT INTO notification_channels (name, kind, config, secret, events, enabled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(...values, Date.now()).lastInsertRowid,
    );
    return toView(row(db, newId));
  } catch (err) {
    if (/UNIQUE/.test((err as Error).message)) {
      throw new ConflictError(`A channel named "${input.name}" already exists`);
    }
    throw err;
  }
}

/** Deletes a channel. */
export function deleteChannel(db: DatabaseSync, id: number): void {
  row(db, id);
  db.prepare("DELETE FROM notification_channels WHERE id = ?").run(id);
}

/** Records the outcome of a delivery. */
export function recordDelivery(db: DatabaseSync, id: number, error: string | null): void {
  db.prepare(
    "UPDATE notification_channels SET last_sent_at = ?, last_error = ? WHERE id = ?",
  ).run(Date.now(), error, id);
}
