/**
 * Download links: a random token, scoped to one backup file, usable without a session at
 * `/dl/{token}` until it expires or is revoked. Only the token's SHA-256 is stored; the
 * token itself is shown once, never logged, and never accepted as an API credential.
 */
import { createHash } from "node:crypto";
import type { DatabaseSync } from "node:sqlite";
import { NotFoundError } from "../errors.ts";

/** A link as listed (never with its token). */
export interface DownloadLink {
  id: string;
  file: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  createdBy: string | null;
  active: boolean;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

interface LinkRow {
  id: string;
  file: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  created_by: string | null;
}

function toLink(row: LinkRow, now = Date.now()): DownloadLink {
  return {
    id: row.id,
    file: row.file,
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at)!,
    revokedAt: iso(row.revoked_at),
    createdBy: row.created_by,
    active: row.revoked_at === null && row.expires_at > now,
  };
}

/** Creates a link; the token is returned here and nowhere else. */
export function createLink(
  db: DatabaseSync,
  file: string,
  ttlMs: number,
  user?: string,
): DownloadLink & { token: string } {
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const id = crypto.randomUUID();
  const now = Date.now();
  db.prepare(
    `INSERT INTO download_links (id, token_hash, file, created_at, expires_at, created_by)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(id, hashToken(token), file, now, now + ttlMs, user ?? null);
  return { ...getLink(db, id), token };
}

/** One link. */
export function getLink(db: DatabaseSync, id: string): DownloadLink {
  const row = db.prepare("SELECT * FROM download_links WHERE id = ?").get(id) as
    | LinkRow
    | undefined;
  if (!row) throw new NotFoundError(`No download link ${id}`);
  return toLink(row);
}

/** Links, newest first (expired ones for a week, for the record). */
export function listLinks(db: DatabaseSync): DownloadLink[] {
  const since = Date.now() - 7 * 86_400_000;
  return (db.prepare(
    "SELECT * FROM download_links WHERE expires_at > ? ORDER BY created_at DESC LIMIT 500",
  ).all(since) as unknown as LinkRow[]).map((r) => toLink(r));
}

/** Revokes a link at once. */
export function revokeLink(db: DatabaseSync, id: string): DownloadLink {
  getLink(db, id);
  db.prepare("UPDATE download_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
    .run(Date.now(), id);
  return getLink(db, id);
}

/** Revokes every link to a file (it was deleted). */
export function revokeLinksTo(db: DatabaseSync, file: string): void {
  db.prepare("UPDATE download_links SET revoked_at = ? WHERE file = ? AND revoked_at IS NULL")
    .run(Date.now(), file);
}

/** The file a token grants, or undefined (unknown, expired or revoked). */
export function resolveLink(db: DatabaseSync, token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const row = db.prepare("SELECT * FROM download_links WHERE token_hash = ?")
    .get(hashToken(token)) as LinkRow | undefined;
  return row && toLink(row).active ? row.file : undefined;
}
