/**
 * Backup choices remembered per container (by name): consistency mode, compression, what to
 * leave out, the image, pre/post commands. A backup that does not say uses them.
 */
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { COMPRESSIONS } from "./format.ts";

/** What is remembered. */
export const BackupPreferencesSchema = z.object({
  compression: z.enum(COMPRESSIONS).optional(),
  consistency: z.enum(["live", "pause", "stop"]).optional(),
  exclude: z.array(z.string().min(1).max(4096)).max(100).optional(),
  includeImage: z.boolean().optional(),
  pre: z.array(z.string().max(4096)).min(1).max(64).optional(),
  post: z.array(z.string().max(4096)).min(1).max(64).optional(),
});
/** What is remembered. */
export type BackupPreferences = z.infer<typeof BackupPreferencesSchema>;

/** The remembered choices of a container ({} when none). */
export function getPreferences(db: DatabaseSync, container: string): BackupPreferences {
  const row = db.prepare("SELECT options FROM backup_preferences WHERE container = ?")
    .get(container) as { options: string } | undefined;
  if (!row) return {};
  const parsed = BackupPreferencesSchema.safeParse(JSON.parse(row.options));
  return parsed.success ? parsed.data : {};
}

/** Remembers the given choices over the stored ones. */
export function rememberPreferences(
  db: DatabaseSync,
  container: string,
  choices: BackupPreferences,
): BackupPreferences {
  const merged = { ...getPreferences(db, container), ...stripUndefined(choices) };
  db.prepare(
    `INSERT INTO backup_preferences (container, options, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(container) DO UPDATE SET options = excluded.options,
       updated_at = excluded.updated_at`,
  ).run(container, JSON.stringify(merged), Date.now());
  return merged;
}

/** The object without its undefined properties. */
export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
