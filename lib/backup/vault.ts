/** The local vault: backup files with their sidecars in `<data>/backups`. */
import { NotFoundError, ValidationError } from "../errors.ts";
import { isBackupFileName, type Sidecar } from "./format.ts";
import { readSidecar } from "./reader.ts";

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
