/**
 * The sign-in and setup flows shared by the JSON API and the pages' no-JavaScript form
 * posts: rate limit, password check, cookie, audit.
 */
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { DatabaseSync } from "node:sqlite";
import type { AuthService, Session } from "../lib/auth/auth_service.ts";
import { ConflictError, RateLimitedError, UnauthorizedError } from "../lib/errors.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { SESSION_COOKIE } from "./_middleware.ts";

/** What signing in needs. */
export interface SignInDeps {
  db: DatabaseSync;
  auth: AuthService;
  limiter: RateLimiter;
  rememberMs: number;
  passwordFromEnvironment: boolean;
}

/** The session cookie's name for this request (`__Host-` only over HTTPS). */
export function sessionCookieName(c: Context<AppEnv>): string {
  return c.var.secure ? SESSION_COOKIE.secure : SESSION_COOKIE.plain;
}

/** Checks the password (rate-limited per IP), sets the session cookie, audits either way. */
export async function signIn(
  c: Context<AppEnv>,
  deps: SignInDeps,
  password: string,
  remember: boolean,
): Promise<Session> {
  const decision = deps.limiter.hit("login", c.var.ip);
  if (!decision.ok) {
    auditRequest(c, deps.db, { action: "auth.login", result: "denied", error: "rate limited" });
    throw new RateLimitedError(
      "Too many sign-in attempts; wait a minute",
      decision.retryAfterSeconds,
    );
  }
  let opened;
  try {
    opened = await deps.auth.login(password, remember, {
      ip: c.var.ip,
      userAgent: c.req.header("User-Agent"),
    });
  } catch (err) {
    auditRequest(c, deps.db, { action: "auth.login", result: "failure", error: errorText(err) });
    throw err;
  }
  setCookie(c, sessionCookieName(c), opened.token, {
    httpOnly: true,
    sameSite: "Strict",
    secure: c.var.secure,
    path: "/",
    maxAge: remember ? Math.floor(deps.rememberMs / 1000) : undefined,
  });
  auditRequest(c, deps.db, {
    action: "auth.login",
    result: "success",
    user: "admin",
    details: { sessionId: opened.session.id, remember },
  });
  return opened.session;
}

/** First-run setup: stores the admin password; audited either way. */
export async function setUp(c: Context<AppEnv>, deps: SignInDeps, password: string): Promise<void> {
  try {
    if (deps.passwordFromEnvironment) throw new ConflictError("Bosun is already set up");
    await deps.auth.setup(password);
  } catch (err) {
    auditRequest(c, deps.db, { action: "auth.setup", result: "failure", error: errorText(err) });
    throw err;
  }
  auditRequest(c, deps.db, { action: "auth.setup", result: "success", user: "admin" });
}

/** Text for the audit log: never the password itself. */
export function errorText(err: unknown): string {
  return err instanceof UnauthorizedError ? "wrong password" : (err as Error).message;
}
