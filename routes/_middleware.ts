/**
 * Middleware every request passes: request id and logs, security headers, Host check,
 * HTTPS redirect, rate limits, authentication and CSRF.
 */
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie } from "hono/cookie";
import { isIP } from "node:net";
import type { DatabaseSync } from "node:sqlite";
import { recordAudit } from "../lib/audit/audit.ts";
import type { AuthService } from "../lib/auth/auth_service.ts";
import { timingSafeEqual } from "../lib/auth/tokens_crypto.ts";
import { ForbiddenError, UnauthorizedError } from "../lib/errors.ts";
import type { Logger } from "../lib/log/logger.ts";
import type { RateLimiter } from "../lib/ratelimit/rate_limiter.ts";
import { type AppEnv, principalName } from "./_env.ts";
import { problemResponse, toProblem } from "./_problem.ts";
import {
  BODY_LIMIT_EXEMPT,
  matchesRoute,
  PASSWORD_CHANGE_ROUTES,
  PUBLIC_ROUTES,
  RATE_LIMIT_EXEMPT,
} from "./_public.ts";

/** Session cookie names: `__Host-` needs Secure, so plain HTTP uses the bare name. */
export const SESSION_COOKIE = { secure: "__Host-bosun_session", plain: "bosun_session" };
/** Header carrying the CSRF token of cookie-authenticated writes. */
export const CSRF_HEADER = "X-CSRF-Token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const QUERY_TOKEN_NAMES = ["access_token", "token", "api_key", "apikey", "auth"];

/** Request id, client IP (believing X-Forwarded-* only from trusted proxies) and access log. */
export function requestContext(log: Logger, trustedProxies: string[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = crypto.randomUUID();
    const remote = c.env?.remoteAddr ?? "unknown";
    const trusted = trustedProxies.includes(remote);
    const forwarded = c.req.header("X-Forwarded-For")?.split(",").map((s) => s.trim());
    const ip = trusted && forwarded?.length ? forwarded[forwarded.length - 1] : remote;
    const secure = c.env?.tls === true ||
      (trusted && c.req.header("X-Forwarded-Proto")?.toLowerCase() === "https");
    c.set("requestId", requestId);
    c.set("ip", ip);
    c.set("secure", secure);
    c.set("log", log.child({ requestId }));
    const started = performance.now();
    await next();
    c.header("X-Request-Id", requestId);
    c.var.log.info("request", {
      method: c.req.method,
      path: c.req.path.replace(/^\/dl\/.*/, "/dl/[token]"), // a link's token is a credential
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      ip,
    });
  };
}

/** Security headers on every response (CSP without inline script, no framing, HSTS on TLS). */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set(
      "Content-Security-Policy",
      `default-src 'self'; script-src 'self'; style-src 'self'${
        c.var.inlineStyles ? " 'unsafe-inline'" : ""
      }; img-src 'self' data:; ` +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
        "frame-ancestors 'none'",
    );
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
    if (c.var.secure) h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  };
}

/** Refuses requests whose Host is not an allowed name (blocks DNS rebinding). */
export function hostGuard(isAllowed: (host: string) => boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const host = hostName(requestHost(c));
    if (!host || !isAllowed(host)) {
      c.var.log.warn("host refused", { host });
      return problemResponse(c, {
        type: "https://bosun.dev/problems/host",
        title: "Host not allowed",
        status: 421,
        detail: `The host name "${host.slice(0, 100)}" is not one Bosun answers to; ` +
          `add it with --allowed-hosts`,
      });
    }
    await next();
  };
}

/** Redirects plain HTTP requests to HTTPS when `--force-https` is set. */
export function forceHttps(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.secure && c.req.path !== "/healthz") {
      const url = new URL(c.req.url);
      url.protocol = "https:";
      url.host = requestHost(c);
      return c.redirect(url.toString(), 308);
    }
    await next();
  };
}

/** Largest request body accepted by default (routes that take uploads set their own). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Refuses bodies over `maxBytes` with a 413 problem, without reading them whole. */
export function limitBody(maxBytes = BODY_LIMIT_BYTES): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      problemResponse(c as Context<AppEnv>, {
        type: "https://bosun.dev/problems/payload-too-large",
        title: "Request body too large",
        status: 413,
        detail: `The request body is larger than ${maxBytes} bytes`,
      }),
  });
  return (c, next) =>
    matchesRoute(BODY_LIMIT_EXEMPT, c.req.method, c.req.path) ? next() : limit(c, next);
}

/** General per-IP limits on the API (streams exempt). */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (path.startsWith("/api/") && !RATE_LIMIT_EXEMPT.some((re) => re.test(path))) {
      limiter.enforce("api", c.var.ip, "Too many API requests from this address; slow down");
    }
    await next();
  };
}

/** Resolves the session cookie or bearer token; refuses protected routes without one. */
export function authenticate(auth: AuthService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { method, path } = c.req;
    const isPublic = matchesRoute(PUBLIC_ROUTES, method, path);
    const query = new URL(c.req.url).searchParams;
    if (QUERY_TOKEN_NAMES.some((n) => query.has(n)) && !isPublic) {
      throw new UnauthorizedError(
        "Credentials in the query string are refused; send an Authorization: Bearer header",
      );
    }
    const authorization = c.req.header("Authorization");
    if (authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      const token = m ? await auth.authenticateToken(m[1]) : undefined;
      if (!token) throw new UnauthorizedError("The API token is invalid or revoked");
      c.set("principal", { kind: "token", token });
    } else {
      const cookie = getCookie(c, SESSION_COOKIE.secure) ?? getCookie(c, SESSION_COOKIE.plain);
      const session = cookie ? await auth.authenticateSession(cookie) : undefined;
      if (session) c.set("principal", { kind: "session", session });
    }
    if (!c.var.principal && !isPublic) return denyAnonymous(c, auth);
    if (
      c.var.principal?.kind === "session" && !isPublic && auth.mustChangePassword() &&
      !matchesRoute(PASSWORD_CHANGE_ROUTES, method, path)
    ) {
      if (!path.startsWith("/api/") && SAFE_METHODS.has(method)) {
        return c.redirect("/change-password", 303);
      }
      throw new ForbiddenError(
        "The temporary password must be changed first (POST /api/auth/password)",
        "password-change",
      );
    }
    await next();
  };
}

/**
 * CSRF for cookie-authenticated writes: the session's token in `X-CSRF-Token` and a
 * same-origin `Origin` (or `Sec-Fetch-Site: same-origin`). Public writes (login, setup)
 * are refused only when the browser says they come from another site. Bearer tokens are
 * exempt.
 */
export function csrf(db: DatabaseSync): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const principal = c.var.principal;
    if (principal?.kind === "token") return await next();
    const origin = c.req.header("Origin");
    const site = c.req.header("Sec-Fetch-Site");
    const expected = `${c.var.secure ? "https" : "http"}://${requestHost(c)}`;
    const sameOrigin = origin ? origin === expected : site === "same-origin" || site === "none";
    const crossSite = (origin !== undefined && origin !== expected) ||
      (site !== undefined && site !== "same-origin" && site !== "none");
    let refusal: ForbiddenError | undefined;
    if (principal?.kind === "session") {
      const token = c.req.header(CSRF_HEADER) ?? "";
      if (!sameOrigin) {
        refusal = new ForbiddenError("Cross-origin request refused", "origin");
      } else if (!token || !timingSafeEqual(token, principal.session.csrfToken)) {
        refusal = new ForbiddenError(`Missing or wrong ${CSRF_HEADER} header`, "csrf");
      }
    } else if (crossSite) {
      refusal = new ForbiddenError("Cross-origin request refused", "origin");
    }
    if (refusal) {
      recordAudit(db, {
        action: "security.csrf",
        target: `${c.req.method} ${c.req.path}`,
        result: "denied",
        error: refusal.message,
        user: principalName(principal),
        ip: c.var.ip,
        userAgent: c.req.header("User-Agent"),
        requestId: c.var.requestId,
      });
      throw refusal;
    }
    await next();
  };
}

function denyAnonymous(c: Context<AppEnv>, auth: AuthService): Response {
  if (c.req.path.startsWith("/api/") || !SAFE_METHODS.has(c.req.method)) {
    return problemResponse(c, toProblem(new UnauthorizedError("Sign in or send an API token")));
  }
  const target = auth.isSetUp() ? "/login" : "/setup";
  const html = `<!doctype html><html><head><meta charset="utf-8">` +
    `<meta http-equiv="refresh" content="0;url=${target}"><title>Sign in — Bosun</title></head>` +
    `<body><p>Sign in required: <a href="${target}">continue</a>.</p></body></html>`;
  return c.html(html, 401);
}

/** The request's Host (HTTP/1.1 header, or HTTP/2 `:authority` through the URL). */
export function requestHost(c: Context<AppEnv>): string {
  return c.req.header("Host") ?? new URL(c.req.url).host;
}

/** The host name of a Host header, without port, lowercased ("[::1]:80" → "::1"). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]"));
  return h.replace(/:\d+$/, "");
}

/** Builds the Host allow-check: IP literals, localhost, this machine and configured names. */
export function hostAllowList(names: string[]): (host: string) => boolean {
  const allowed = new Set(["localhost", ...names.map((n) => n.toLowerCase())]);
  return (host) => isIP(host) !== 0 || allowed.has(host) || host.endsWith(".localhost");
}
