/** The settings store: small typed values every feature reads (server name, environment). */
import type { DatabaseSync } from "node:sqlite";
import { type Settings, SettingsSchema } from "../shared/settings.ts";

const DEFAULTS: Omit<Settings, "serverName"> = {
  hostEnvironment: "DEV",
  backupLabelCommands: false,
  backupFileMode: "0600",
  backupFileOwner: "",
  updateCheckHours: 6,
  updateStabilizeSeconds: 30,
  storageRoot: "/mnt/appdata",
  healthIntervalSeconds: 300,
  cpuWarnPercent: 80,
  cpuCriticalPercent: 95,
  memoryWarnPercent: 85,
  memoryCriticalPercent: 95,
};

/** Reads all settings, filling defaults (server name defaults to the machine's name). */
export function getSettings(db: DatabaseSync, defaults: { serverName: string }): Settings {
  const rows = db.prepare("SELECT key, value FROM settings").all() as {
    key: string;
    value: string;
  }[];
  const stored: Record<string, unknown> = {};
  for (const row of rows) {
    try {
      stored[row.key] = JSON.parse(row.value);
    } catch {
      // a corrupt value falls back to its default below
    }
  }
  const base = { ...DEFAULTS, serverName: defaults.serverName };
  const result = SettingsSchema.safeParse({ ...base, ...stored });
  return result.success ? result.data : SettingsSchema.parse(base);
}

/** Stores the given settings (validated by the caller with `SettingsUpdateSchema`). */
export function updateSettings(db: DatabaseSync, changes: Partial<Settings>): void {
  const upsert = db.prepare(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  );
  db.exec("BEGIN");
  try {
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) upsert.run(key, JSON.stringify(value));
    }
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}

/** The host's environment tag (containers without their own tag inherit it). */
export function hostEnvironment(db: DatabaseSync): string {
  return getSettings(db, { serverName: "bosun" }).hostEnvironment;
}

/** Stores the given values only for the settings not stored yet (first start defaults). */
export function seedSettings(db: DatabaseSync, values: Partial<Settings>): void {
  const insert = db.prepare("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)");
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) insert.run(key, JSON.stringify(value));
  }
}
