/**
 * Network backups: a network's definition (driver, IPAM, options, labels) as one small JSON
 * file in the vault, `<server>__network-<name>__<time>.network.json`, restorable here or on
 * another engine. Its members are recorded for information; containers carry their own
 * network settings in their backups.
 */
import { z } from "zod";
import type { DockerClient } from "../docker/client.ts";
import {
  createNetwork,
  inspectNetwork,
  listNetworks,
  type NetworkDefinition,
  networkDefinition,
} from "../docker/networks.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { fileStamp, safeNamePart } from "./format.ts";
import { writeAtomically } from "./writer.ts";

/** Networks every engine has; they are never backed up or restored. */
const BUILT_IN = new Set(["bridge", "host", "none"]);

/** A network definition as stored. */
export const NetworkDefinitionSchema = z.object({
  name: z.string().min(1).max(255).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/),
  driver: z.string().min(1).max(100),
  internal: z.boolean(),
  attachable: z.boolean(),
  enableIPv6: z.boolean(),
  ipam: z.object({
    driver: z.string().max(100),
    config: z.array(z.record(z.string(), z.unknown())).max(16),
    options: z.record(z.string(), z.string()),
  }),
  options: z.record(z.string(), z.string()),
  labels: z.record(z.string(), z.string()),
});

/** The network backup file. */
export const NetworkBackupSchema = z.object({
  format: z.literal("bosun-network-backup"),
  formatVersion: z.literal(1),
  tool: z.string().max(100),
  server: z.string().max(100),
  created: z.iso.datetime(),
  network: NetworkDefinitionSchema,
  containers: z.array(z.object({ name: z.string(), ipv4: z.string() })).max(10_000),
});
/** The network backup file. */
export type NetworkBackup = z.infer<typeof NetworkBackupSchema> & { file?: string };

/** True for network backup names Bosun writes. */
export function isNetworkBackupName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*\.network\.json$/.test(name) && !name.includes("..");
}

function assertName(file: string): void {
  if (!isNetworkBackupName(file)) {
    throw new ValidationError(`"${file.slice(0, 80)}" is not a network backup file name`);
  }
}

function fileName(server: string, network: string, created: Date): string {
  return `${safeNamePart(server)}__network-${safeNamePart(network)}__${
    fileStamp(created)
  }.network.json`;
}

/** Writes a network backup; resolves with it (and its file name). */
export async function backupNetwork(
  docker: DockerClient,
  vaultDir: string,
  network: string,
  meta: { server: string; version: string },
): Promise<NetworkBackup & { file: string }> {
  const n = await inspectNetwork(docker, network);
  if (BUILT_IN.has(n.name)) {
    throw new ValidationError(
      `"${n.name}" is built into every engine; there is nothing to back up`,
    );
  }
  const created = new Date();
  const backup: NetworkBackup = {
    format: "bosun-network-backup",
    formatVersion: 1,
    tool: `bosun ${meta.version}`,
    server: meta.server,
    created: created.toISOString(),
    network: networkDefinition(n),
    containers: n.containers.map((c) => ({ name: c.name, ipv4: c.ipv4 })),
  };
  const file = fileName(meta.server, n.name, created);
  await writeAtomically(`${vaultDir}/${file}`, JSON.stringify(backup, null, 2));
  return { ...backup, file };
}

/** Every network backup in the vault, newest first. */
export async function listNetworkBackups(vaultDir: string): Promise<NetworkBackup[]> {
  const out: NetworkBackup[] = [];
  try {
    for await (const entry of Deno.readDir(vaultDir)) {
      if (!entry.isFile || !isNetworkBackupName(entry.name)) continue;
      try {
        out.push({ ...(await readNetworkBackup(vaultDir, entry.name)), file: entry.name });
      } catch { /* unreadable files are not listed */ }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort((a, b) => b.created.localeCompare(a.created));
}

/** Reads and validates one network backup. */
export async function readNetworkBackup(vaultDir: string, file: string): Promise<NetworkBackup> {
  assertName(file);
  let text: string;
  try {
    text = await Deno.readTextFile(`${vaultDir}/${file}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new NotFoundError(`No network backup "${file}"`);
    throw err;
  }
  return parseNetworkBackup(text);
}

/** Parses network backup JSON; a clear ValidationError when it is not one. */
export function parseNetworkBackup(text: string): NetworkBackup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError("Not a network backup: the file is not valid JSON");
  }
  const parsed = NetworkBackupSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      "Not a network backup",
      parsed.error.issues.slice(0, 10).map((i) => ({
        path: i.path.join(".") || "(root)",
        message: i.message,
      })),
    );
  }
  return parsed.data;
}

/** Stores an uploaded network backup (already read; these files are small). */
export async function storeNetworkUpload(vaultDir: string, text: string): Promise<string> {
  const backup = parseNetworkBackup(text);
  const file = fileName(backup.server, backup.network.name, new Date(backup.created));
  try {
    await Deno.stat(`${vaultDir}/${file}`);
    throw new ConflictError(`The vault already holds "${file}"`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  await writeAtomically(`${vaultDir}/${file}`, JSON.stringify(backup, null, 2));
  return file;
}

/** Creates the network from a backup (optionally under another name). */
export async function restoreNetwork(
  docker: DockerClient,
  vaultDir: string,
  file: string,
  name?: string,
): Promise<{ id: string; name: string }> {
  const backup = await readNetworkBackup(vaultDir, file);
  const def: NetworkDefinition = { ...backup.network, name: name ?? backup.network.name };
  await assertNetworkFree(docker, def.name);
  return { id: await createNetwork(docker, def), name: def.name };
}

/** Refuses a name an existing network has. */
export async function assertNetworkFree(docker: DockerClient, name: string): Promise<void> {
  if ((await listNetworks(docker)).some((n) => n.name === name)) {
    throw new ConflictError(`A network named "${name}" already exists`);
  }
}

/** Deletes a network backup. */
export async function deleteNetworkBackup(vaultDir: string, file: string): Promise<void> {
  assertName(file);
  try {
    await Deno.remove(`${vaultDir}/${file}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new NotFoundError(`No network backup "${file}"`);
    throw err;
  }
}
