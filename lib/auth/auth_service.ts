/**
 * Single-user authentication: the admin password, browser sessions and API tokens.
 * Tokens are 256-bit random values stored only as SHA-256 hashes.
 */
import type { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { ConflictError, UnauthorizedError, ValidationError } from "../errors.ts";
import { passwordProblems } from "../shared/password_policy.ts";
import { hashPassword, needsRehash, verifyPassword } from "./password.ts";
import { hashToken, randomId, randomToken, timingSafeEqual } from "./tokens_crypto.ts";

/** Lifetimes of sessions, in milliseconds. */
export interface SessionLifetimes {
  idleMs: number;
  maxMs: number;
  rememberMs: number;
}

/** A live session as seen by middleware and routes. */
export interface Session {
  id: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  remember: boolean;
  ip: string | null;
  userAgent: string | null;
}

/** A stored API token (never the token itself). */
export interface ApiToken {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Who made a request: where from, for sessions and the audit log. */
export interface ClientMeta {
  ip?: string;
  userAgent?: string;
}

const SessionRowSchema = z.object({
  id: z.string(),
  token_hash: z.string(),
  csrf_token: z.string(),
  created_at: z.number(),
  last_seen_at: z.number(),
  expires_at: z.number(),
  remember: z.number(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});
const AdminRowSchema = z.object({ password_hash: z.string(), must_change: z.number() });
const TokenRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  token_hash: z.string(),
  created_at: z.number(),
  last_used_at: z.number().nullable(),
});

/** The admin account, sessions and tokens over one database. */
export class AuthService {
  constructor(
    private readonly db: DatabaseSync,
    private readonly lifetimes: SessionLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  /** True once an admin password exists. */
  isSetUp(): boolean {
    return this.#admin() !== undefined;
  }

  /** True when the admin must change a temporary password before doing anything else. */
  mustChangePassword(): boolean {
    return this.#admin()?.must_change === 1;
  }

  /** First-run setup: stores the admin password. ConflictError once set up. */
  async setup(password: string): Promise<void> {
    assertPolicy(password);
    const hash = await hashPassword(password);
    const result = this.db.prepare(
      "INSERT OR IGNORE INTO admin (id, password_hash, must_change, updated_at) VALUES (1, ?, 0, ?)",
    ).run(hash, this.now());
    if (Number(result.changes) === 0) throw new ConflictError("Bosun is already set up");
  }

  /**
   * Makes `password` (from `BOSUN_ADMIN_PASSWORD`) the admin password. When it differs from
   * the stored one, every session is revoked. Returns whether it changed.
   */
  async applyEnvironmentPassword(password: string): Promise<boolean> {
    assertPolicy(password, "BOSUN_ADMIN_PASSWORD");
    const admin = this.#admin();
    if (admin && admin.must_change === 0 && await verifyPassword(password, admin.password_hash)) {
      return false;
    }
    await this.#setPassword(password, false);
    this.revokeAllSessions();
    return true;
  }

  /** Checks the password and opens a new session; UnauthorizedError when wrong. */
  async login(
    password: string,
    remember: boolean,
    meta: ClientMeta,
  ): Promise<{ token: string; session: Session }> {
    const admin = this.#admin();
    if (!admin) throw new ConflictError("Bosun is not set up yet; choose a password first");
    if (!await verifyPassword(password, admin.password_hash)) {
      throw new UnauthorizedError("Wrong password");
    }
    if (needsRehash(admin.password_hash)) {
      this.db.prepare("UPDATE admin SET password_hash = ? WHERE id = 1").run(
        await hashPassword(password),
      );
    }
    return await this.createSession(remember, meta);
  }

  /** Opens a new session with a fresh random token (returned once). */
  async createSession(
    remember: boolean,
    meta: ClientMeta,
  ): Promise<{ token: string; session: Session }> {
    const token = randomToken();
    const now = this.now();
    const session: Session = {
      id: randomId(),
      csrfToken: randomToken(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + (remember ? this.lifetimes.rememberMs : this.lifetimes.maxMs),
      remember,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    };
    this.db.prepare(
      `INSERT INTO sessions (id, token_hash, csrf_token, created_at, last_seen_at, expires_at,
        remember, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      session.id,
      await hashToken(token),
      session.csrfToken,
      now,
      now,
      session.expiresAt,
      remember ? 1 : 0,
      session.ip,
      session.userAgent,
    );
    return { token, session };
  }

  /** The live session for a cookie token, touched; undefined when unknown or expired. */
  async authenticateSession(token: string): Promise<Session | undefined> {
    const hash = await hashToken(token);
    const row = this.db.prepare("SELECT * FROM sessions WHERE token_hash = ?").get(hash);
    if (!row) return undefined;
    const session = SessionRowSchema.parse(row);
    if (!timingSafeEqual(session.token_hash, hash)) return undefined;
    const now = this.now();
    const idleLimit = session.remember ? this.lifetimes.rememberMs : this.lifetimes.idleMs;
    if (now >= session.expires_at || now - session.last_seen_at >= idleLimit) {
      this.db.prepare("DELETE FROM sessions WHERE id = ?").run(session.id);
      return undefined;
    }
    this.db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?").run(now, session.id);
    return { ...toSession(session), lastSeenAt: now };
  }

  /** Lists live sessions, newest first. */
  listSessions(): Session[] {
    const rows = this.db.prepare("SELECT * FROM sessions ORDER BY created_at DESC").all();
    return rows.map((r) => toSession(SessionRowSchema.parse(r)));
  }

  /** Revokes one session; false when there was none with that id. */
  revokeSession(id: string): boolean {
    return Number(this.db.prepare("DELETE FROM sessions WHERE id = ?").run(id).changes) > 0;
  }

  /** Revokes every session except `keepId`. */
  revokeAllSessions(keepId?: string): number {
    const result = this.db.prepare("DELETE FROM sessions WHERE id != ?").run(keepId ?? "");
    return Number(result.changes);
  }

  /** Deletes sessions past their lifetime (called periodically). */
  pruneExpiredSessions(): number {
    const now = this.now();
    return Number(
      this.db.prepare(
        `DELETE FROM sessions WHERE expires_at <= ?
          OR (remember = 0 AND last_seen_at <= ?)`,
      ).run(now, now - this.lifetimes.idleMs).changes,
    );
  }

  /**
   * Changes the admin password after checking the current one; revokes every other
   * session and all API tokens.
   */
  async changePassword(current: string, next: string, keepSessionId?: string): Promise<void> {
    const admin = this.#admin();
    if (!admin) throw new ConflictError("Bosun is not set up yet");
    if (!await verifyPassword(current, admin.password_hash)) {
      throw new ValidationError("The current password is wrong", [
        { path: "current", message: "wrong password" },
      ]);
    }
    if (current === next) {
      throw new ValidationError("The new password must differ from the current one", [
        { path: "new", message: "same as the current password" },
      ]);
    }
    assertPolicy(next, "new");
    await this.#setPassword(next, false);
    this.revokeAllSessions(keepSessionId);
    this.db.exec("DELETE FROM api_tokens");
  }

  /** Sets a one-time temporary password that must be changed at next login. */
  async resetPassword(): Promise<string> {
    const temporary = `Tmp-${randomToken().slice(0, 20)}-9a`;
    await this.#setPassword(temporary, true);
    this.revokeAllSessions();
    return temporary;
  }

  /** Creates a named API token; the token is returned only here. */
  async createToken(name: string): Promise<{ id: string; name: string; token: string }> {
    const token = randomToken("bosun_");
    const id = randomId();
    this.db.prepare(
      "INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
    ).run(id, name, await hashToken(token), this.now());
    return { id, name, token };
  }

  /** The token for a bearer value, touched; undefined when unknown. */
  async authenticateToken(token: string): Promise<ApiToken | undefined> {
    const hash = await hashToken(token);
    const row = this.db.prepare("SELECT * FROM api_tokens WHERE token_hash = ?").get(hash);
    if (!row) return undefined;
    const parsed = TokenRowSchema.parse(row);
    if (!timingSafeEqual(parsed.token_hash, hash)) return undefined;
    this.db.prepare("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(
      this.now(),
      parsed.id,
    );
    return toToken(parsed);
  }

  /** Lists API tokens (without their values). */
  listTokens(): ApiToken[] {
    const rows = this.db.prepare("SELECT * FROM api_tokens ORDER BY created_at DESC").all();
    return rows.map((r) => toToken(TokenRowSchema.parse(r)));
  }

  /** Revokes one API token; false when there was none with that id. */
  revokeToken(id: string): boolean {
    return Number(this.db.prepare("DELETE FROM api_tokens WHERE id = ?").run(id).changes) > 0;
  }

  #admin() {
    const row = this.db.prepare("SELECT password_hash, must_change FROM admin WHERE id = 1").get();
    return row ? AdminRowSchema.parse(row) : undefined;
  }

  async #setPassword(password: string, mustChange: boolean): Promise<void> {
    const hash = await hashPassword(password);
    this.db.prepare(
      `INSERT INTO admin (id, password_hash, must_change, updated_at) VALUES (1, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET password_hash = excluded.password_hash,
         must_change = excluded.must_change, updated_at = excluded.updated_at`,
    ).run(hash, mustChange ? 1 : 0, this.now());
  }
}

function assertPolicy(password: string, field = "password"): void {
  const problems = passwordProblems(password);
  if (problems.length) {
    throw new ValidationError(`The password needs ${problems.join(", ")}`, [
      { path: field, message: `needs ${problems.join(", ")}` },
    ]);
  }
}

function toSession(row: z.infer<typeof SessionRowSchema>): Session {
  return {
    id: row.id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    remember: row.remember === 1,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

function toToken(row: z.infer<typeof TokenRowSchema>): ApiToken {
  return { id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}
