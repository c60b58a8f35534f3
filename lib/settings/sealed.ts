/** Secret settings (write-only): stored sealed with the secrets box in the settings table. */
import type { DatabaseSync } from "node:sqlite";
import type { SecretBox } from "../secrets/secret_box.ts";

/** Stores (or, with null, removes) a secret setting. */
export async function setSealed(
  db: DatabaseSync,
  box: SecretBox,
  key: string,
  value: string | null,
): Promise<void> {
  if (value === null) {
    db.prepare("DELETE FROM settings WHERE key = ?").run(`sealed:${key}`);
    return;
  }
  db.prepare(
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(`sealed:${key}`, JSON.stringify(await box.encrypt(value)));
}

/** Reads a secret setting, or undefined when none is stored. */
export async function getSealed(
  db: DatabaseSync,
  box: SecretBox,
  key: string,
): Promise<string | undefined> {
  const row = db.prepare("SELECT value FROM settings WHERE key = ?").get(`sealed:${key}`) as
    | { value: string }
    | undefined;
  return row ? await box.decrypt(JSON.parse(row.value)) : undefined;
}

/** True when a secret setting is stored (without opening it). */
export function hasSealed(db: DatabaseSync, key: string): boolean {
  return db.prepare("SELECT 1 FROM settings WHERE key = ?").get(`sealed:${key}`) !== undefined;
}
