/** The local vault: backup files with their sidecars in `<data>/backups`. */
import { NotFoundError, ValidationError } from "../errors.ts";
import type { DatabaseSync } from "node:sqlite";
import { type Compression, isBackupFileName, type Manifest, type Sidecar } from "./format.ts";
import { revokeLinksTo } from "./links.ts";
import { drain, openEntries, readSidecar } from "./reader.ts";

/** Throws unless `file` is a backup file name Bosun writes (no paths, no traversal). */
export function assertBackupName(file: string): void {
  if (!isBackupFileName(file)) {
    throw new ValidationError(`"${file.slice(0, 80)}" is not a backup file name`);
  }
}

/** Every backup with a readable sidecar, newest first. */
export async function listBackups(vaultDir: string): Promise<Sidecar[]> {
  const out: Sidecar[] = [];
  try {
    for await (const entry of Deno.readDir(vaultDir)) {
      if (!entry.isFile || !isBackupFileName(entry.name)) continue;
      try {
        out.push(await readSidecar(vaultDir, entry.name));
      } catch {
        // a backup without its sidecar is not listed (it was not completed by Bosun)
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => b.manifest.created.localeCompare(a.manifest.created));
}

/** Deletes a backup and its sidecar. */
export async function deleteBackup(vaultDir: string, file: string): Promise<void> {
  assertBackupName(file);
  try {
    await Deno.remove(`${vaultDir}/${file}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new NotFoundError(`No backup "${file}"`);
    throw err;
  }
  await Deno.remove(`${vaultDir}/${file}.json`).catch(() => {});
}

/** The size of a backup file, or NotFoundError. */
export async function backupSize(vaultDir: string, file: string): Promise<number> {
  assertBackupName(file);
  try {
    return (await Deno.stat(`${vaultDir}/${file}`)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new NotFoundError(`No backup "${file}"`);
    throw err;
  }
}

/** The last verification of a backup, as recorded. */
export interface VerifiedState {
  ok: boolean;
  at: string;
  error: string | null;
}

/** Records a verification's outcome (shown in the vault until the next one). */
export function recordVerification(
  db: DatabaseSync,
  file: string,
  outcome: { ok: boolean; error?: string },
): void {
  db.prepare(
    `INSERT INTO backup_verifications (file, ok, checked_at, error) VALUES (?, ?, ?, ?)
     ON CONFLICT(file) DO UPDATE SET ok = excluded.ok, checked_at = excluded.checked_at,
       error = excluded.error`,
  ).run(file, outcome.ok ? 1 : 0, Date.now(), outcome.error ?? null);
}

/** Every recorded verification, by file. */
export function verifiedStates(db: DatabaseSync): Map<string, VerifiedState> {
  const rows = db.prepare("SELECT file, ok, checked_at, error FROM backup_verifications")
    .all() as { file: string; ok: number; checked_at: number; error: string | null }[];
  return new Map(rows.map((r) => [r.file, {
    ok: r.ok === 1,
    at: new Date(r.checked_at).toISOString(),
    error: r.error,
  }]));
}

/** Forgets what Bosun recorded about a deleted backup: its verification and download links. */
export function forgetBackup(db: DatabaseSync, file: string): void {
  db.prepare("DELETE FROM backup_verifications WHERE file = ?").run(file);
  revokeLinksTo(db, file);
}

/** One entry of a preview's file tree. */
export interface TreeEntry {
  path: string;
  type: string;
  size: number;
  mode?: number;
  mtime?: string;
  linkname?: string;
}

/** A backup's manifest and the trees of its volumes and binds, read without extracting. */
export async function previewBackup(
  vaultDir: string,
  file: string,
  limit: number,
): Promise<{ manifest: Manifest; trees: Record<string, TreeEntry[]>; truncated: boolean }> {
  assertBackupName(file);
  const { manifest, compression } = await readSidecar(vaultDir, file);
  return { manifest, ...await previewTrees(`${vaultDir}/${file}`, compression, limit) };
}

/** The file trees of an archive read from a path or a stream (S3), up to `limit` entries. */
export async function previewTrees(
  source: string | ReadableStream<Uint8Array>,
  compression: Compression,
  limit: number,
): Promise<{ trees: Record<string, TreeEntry[]>; truncated: boolean }> {
  const trees: Record<string, TreeEntry[]> = {};
  let listed = 0;
  let truncated = false;
  const { entries } = openEntries(source, compression);
  const reader = entries.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const h = value.header;
      const m = /^((?:volumes|binds)\/[^/]+)(?:\/(.*))?$/.exec(h.name);
      if (m) {
        if (listed >= limit) {
          truncated = true;
          break;
        }
        listed++;
        (trees[m[1]] ??= []).push({
          path: m[2] || "/",
          type: h.type ?? "file",
          size: h.size,
          mode: h.mode,
          mtime: h.mtime?.toISOString(),
          linkname: h.linkname || undefined,
        });
      } else if (h.name.startsWith("image/") || h.name === "SHA256SUMS") {
        break; // nothing listed after the volumes and binds
      }
      await drain(value.body);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { trees, truncated };
}

/** A vault entry as the API and the Backups page show it. */
export type VaultEntry = Sidecar & { verified: VerifiedState | null };

/** Every backup with its recorded verification, newest first. */
export async function listVault(vaultDir: string, db: DatabaseSync): Promise<VaultEntry[]> {
  const verified = verifiedStates(db);
  return (await listBackups(vaultDir)).map((b) => ({
    ...b,
    verified: verified.get(b.file) ?? null,
  }));
}
