/**
 * Per-registry credentials for update checks and pulls; the password is sealed with the
 * secrets box, and the API shows only that one is stored.
 */
import type { DatabaseSync } from "node:sqlite";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { SecretBox } from "../secrets/secret_box.ts";
import type { RegistryAuth } from "../docker/images.ts";
import { type ImageReference, registryHost } from "./reference.ts";
import type { RegistryCredentials } from "./registry.ts";

/** Credentials as the API shows them. */
export interface CredentialView {
  registry: string;
  username: string;
  hasPassword: true;
  createdAt: number;
}

interface Row {
  registry: string;
  username: string;
  secret: string;
  created_at: number;
}

/** Every stored registry login (no passwords). */
export function listCredentials(db: DatabaseSync): CredentialView[] {
  return (db.prepare("SELECT * FROM registry_credentials ORDER BY registry")
    .all() as unknown as Row[])
    .map((r) => ({
      registry: r.registry,
      username: r.username,
      hasPassword: true,
      createdAt: r.created_at,
    }));
}

/** Stores (or replaces) a registry login; a blank password keeps the stored one. */
export async function saveCredentials(
  db: DatabaseSync,
  box: SecretBox,
  input: { registry: string; username: string; password?: string },
): Promise<CredentialView> {
  const existing = db.prepare("SELECT * FROM registry_credentials WHERE registry = ?").get(
    input.registry,
  ) as Row | undefined;
  if (!input.password && !existing) {
    throw new ValidationError(`No password is stored for ${input.registry}: enter one`);
  }
  const secret = input.password ? await box.encrypt(input.password) : existing!.secret;
  const now = Date.now();
  db.prepare(
    `INSERT INTO registry_credentials (registry, username, secret, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (registry) DO UPDATE SET username = excluded.username, secret = excluded.secret`,
  ).run(input.registry, input.username, secret, now);
  return {
    registry: input.registry,
    username: input.username,
    hasPassword: true,
    createdAt: existing?.created_at ?? now,
  };
}

/** Forgets a registry login. */
export function deleteCredentials(db: DatabaseSync, registry: string): void {
  const r = db.prepare("DELETE FROM registry_credentials WHERE registry = ?").run(registry);
  if (!r.changes) throw new NotFoundError(`No credentials are stored for ${registry}`);
}

/** The decrypted login for a registry domain, if one is stored. */
export async function credentialsFor(
  db: DatabaseSync,
  box: SecretBox,
  registry: string,
): Promise<RegistryCredentials | undefined> {
  const r = db.prepare("SELECT * FROM registry_credentials WHERE registry = ?").get(registry) as
    | Row
    | undefined;
  if (!r) return undefined;
  return { username: r.username, password: await box.decrypt(r.secret) };
}

/** The engine's pull credentials for an image reference, when its registry has a stored login. */
export async function pullAuthFor(
  db: DatabaseSync,
  box: SecretBox,
  ref: ImageReference,
): Promise<RegistryAuth | undefined> {
  const login = await credentialsFor(db, box, ref.domain);
  return login ? { ...login, serveraddress: registryHost(ref) } : undefined;
}
