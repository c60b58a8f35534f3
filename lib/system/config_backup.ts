/**
 * Bosun backs itself up: a consistent snapshot of its database (SQLite's online backup API), the stacks
 * folder when there is one, and — only when the user gives a passphrase — the secret key,
 * sealed with AES-256-GCM under a PBKDF2-SHA-256 (600,000 rounds) key from the passphrase.
 * One gzip tar, `manifest.json` first. Restoring it into a fresh data directory brings back
 * settings, schedules, storage targets and (with the passphrase) their credentials.
 */
import { backup, type DatabaseSync } from "node:sqlite";
import { createReadStream, createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { createTarDecoder, createTarPacker } from "modern-tar";
import { ConflictError, ValidationError } from "../errors.ts";
import { fileStamp, safeNamePart } from "../backup/format.ts";

const ROUNDS = 600_000;
const encoder = new TextEncoder();

/** The config backup's file name. */
export function configBackupName(server: string, created: Date): string {
  return `${safeNamePart(server)}__bosun-config__${fileStamp(created)}.bosun.tar.gz`;
}

async function passphraseKey(passphrase: string, salt: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", encoder.encode(passphrase), "PBKDF2", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as Uint8Array<ArrayBuffer>, iterations: ROUNDS },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Seals `data` with a passphrase: salt (16) ‖ iv (12) ‖ ciphertext. */
export async function sealWithPassphrase(data: Uint8Array, passphrase: string) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await passphraseKey(passphrase, salt);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, data as Uint8Array<ArrayBuffer>),
  );
  return new Uint8Array([...salt, ...iv, ...sealed]);
}

/** Opens what `sealWithPassphrase` made; a wrong passphrase is a ValidationError. */
export async function openWithPassphrase(sealed: Uint8Array, passphrase: string) {
  const key = await passphraseKey(passphrase, sealed.subarray(0, 16));
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.subarray(16, 28) as Uint8Array<ArrayBuffer> },
        key,
        sealed.subarray(28) as Uint8Array<ArrayBuffer>,
      ),
    );
  } catch {
    throw new ValidationError("The passphrase does not open the secret key in this backup");
  }
}

/** Writes a config backup to `path` (streamed); resolves with what it holds. */
export async function writeConfigBackup(
  db: DatabaseSync,
  dataDir: string,
  path: string,
  meta: { server: string; version: string; passphrase?: string },
): Promise<{ secretKeyIncluded: boolean; stacks: number }> {
  if (meta.passphrase !== undefined && meta.passphrase.length < 12) {
    throw new ValidationError("The passphrase must be at least 12 characters");
  }
  const snapshot = `${dataDir}/.config-snapshot-${crypto.randomUUID().slice(0, 8)}.partial`;
  await backup(db, snapshot); // SQLite's online backup: a consistent copy while Bosun runs
  try {
    const { readable, controller } = createTarPacker();
    const written = pipeline(
      Readable.fromWeb(readable as import("node:stream/web").ReadableStream<Uint8Array>),
      createGzip(),
      createWriteStream(path, { flags: "wx", mode: 0o600 }),
    );
    const addBytes = async (name: string, data: Uint8Array) => {
      const w = controller.add({ name, size: data.length, mode: 0o600, mtime: new Date() })
        .getWriter();
      await w.write(data);
      await w.close();
    };
    const addFile = async (name: string, file: string) => {
      const size = (await Deno.stat(file)).size;
      const body = controller.add({ name, size, mode: 0o600, mtime: new Date() });
      await (await Deno.open(file)).readable.pipeTo(body);
    };
    let secretKeyIncluded = false;
    const stacks: string[] = [];
    for await (const e of walk(`${dataDir}/stacks`)) stacks.push(e);
    const manifest = {
      format: "bosun-config-backup",
      formatVersion: 1,
      tool: `bosun ${meta.version}`,
      server: meta.server,
      created: new Date().toISOString(),
      secretKey: meta.passphrase ? "sealed with the passphrase" : "not included",
      stacks: stacks.length,
    };
    try {
      await addBytes("manifest.json", encoder.encode(JSON.stringify(manifest, null, 2)));
      await addFile("bosun.db", snapshot);
      if (meta.passphrase) {
        const key = await Deno.readFile(`${dataDir}/config/secret.key`);
        await addBytes("secret.key.sealed", await sealWithPassphrase(key, meta.passphrase));
        secretKeyIncluded = true;
      }
      for (const rel of stacks) await addFile(`stacks/${rel}`, `${dataDir}/stacks/${rel}`);
      controller.finalize();
    } catch (err) {
      controller.error(err);
      await written.catch(() => {});
      await Deno.remove(path).catch(() => {});
      throw err;
    }
    await written;
    return { secretKeyIncluded, stacks: stacks.length };
  } finally {
    await Deno.remove(snapshot).catch(() => {});
  }
}

async function* walk(dir: string, prefix = ""): AsyncGenerator<string> {
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) yield* walk(`${dir}/${e.name}`, `${prefix}${e.name}/`);
      else if (e.isFile) yield `${prefix}${e.name}`;
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/**
 * Restores a config backup into a data directory that has no database yet: the database,
 * the stacks, and the secret key (needs the passphrase it was sealed with).
 */
export async function restoreConfigBackup(
  file: string,
  dataDir: string,
  passphrase?: string,
): Promise<{ secretKeyRestored: boolean; stacks: number }> {
  try {
    await Deno.stat(`${dataDir}/bosun.db`);
    throw new ConflictError(
      `${dataDir} already has a database; restore a configuration only into a fresh data directory`,
    );
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await Deno.mkdir(`${dataDir}/config`, { recursive: true, mode: 0o700 });
  const entries = (Readable.toWeb(createReadStream(file).pipe(createGunzip())) as ReadableStream<
    Uint8Array
  >).pipeThrough(createTarDecoder({ strict: true }));
  let manifestSeen = false;
  let secretKeyRestored = false;
  let stacks = 0;
  const written: string[] = [];
  try {
    for await (const entry of entries) {
      const name = entry.header.name;
      if (!manifestSeen) {
        const m = JSON.parse(await new Response(entry.body).text());
        if (name !== "manifest.json" || m.format !== "bosun-config-backup") {
          throw new ValidationError("Not a Bosun configuration backup");
        }
        manifestSeen = true;
        continue;
      }
      if (name === "bosun.db") {
        await entry.body.pipeTo(
          (await Deno.open(`${dataDir}/bosun.db`, { createNew: true, write: true, mode: 0o600 }))
            .writable,
        );
        written.push(`${dataDir}/bosun.db`);
      } else if (name === "secret.key.sealed") {
        const sealed = new Uint8Array(await new Response(entry.body).arrayBuffer());
        if (!passphrase) {
          throw new ValidationError(
            "This backup holds a sealed secret key: give the passphrase (BOSUN_CONFIG_PASSPHRASE)",
          );
        }
        const key = await openWithPassphrase(sealed, passphrase);
        await Deno.writeFile(`${dataDir}/config/secret.key`, key, { mode: 0o600 });
        written.push(`${dataDir}/config/secret.key`);
        secretKeyRestored = true;
      } else if (/^stacks\/(?!.*(^|\/)\.\.(\/|$))[^\0]+$/.test(name) && !name.startsWith("/")) {
        const target = `${dataDir}/${name}`;
        await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
        await entry.body.pipeTo(
          (await Deno.open(target, { createNew: true, write: true, mode: 0o600 })).writable,
        );
        written.push(target);
        stacks++;
      } else {
        throw new ValidationError(`Unexpected member "${name.slice(0, 80)}" in a config backup`);
      }
    }
  } catch (err) {
    for (const f of written) await Deno.remove(f).catch(() => {});
    throw err;
  }
  if (!manifestSeen) throw new ValidationError("Not a Bosun configuration backup");
  return { secretKeyRestored, stacks };
}

const CONFIG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*__bosun-config__\d{8}T\d{6}Z\.bosun\.tar\.gz$/;

/** True for configuration backup names Bosun writes. */
export function isConfigBackupName(name: string): boolean {
  return CONFIG_NAME.test(name);
}

/** Keeps the newest `keep` configuration backups in the vault; resolves with what went. */
export async function pruneConfigBackups(vaultDir: string, keep: number): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(vaultDir)) {
    if (e.isFile && isConfigBackupName(e.name)) names.push(e.name);
  }
  // Same server prefix sorts by time: the stamp is the only part that differs.
  const old = names.sort((a, b) => b.split("__")[2].localeCompare(a.split("__")[2])).slice(keep);
  for (const n of old) await Deno.remove(`${vaultDir}/${n}`).catch(() => {});
  return old;
}
