/** `/api/auth/*`: setup, login, logout, sessions, password, API tokens. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import type { Session } from "../lib/auth/auth_service.ts";
import { ConflictError, NotFoundError } from "../lib/errors.ts";
import { PASSWORD_MAX_LENGTH } from "../lib/shared/password_policy.ts";
import { auditRequest } from "./_audit.ts";
import { errorText, sessionCookieName, setUp, signIn, type SignInDeps } from "./_sign_in.ts";
import type { AppEnv } from "./_env.ts";
import { body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** What the auth routes need. */
export type AuthRouteDeps = SignInDeps;

const Password = z.string().min(1).max(PASSWORD_MAX_LENGTH);
const SessionInfoSchema = z.object({
  kind: z.enum(["session", "token"]),
  sessionId: z.string().optional(),
  csrfToken: z.string().optional(),
  expiresAt: z.string().optional(),
  tokenName: z.string().optional(),
  mustChangePassword: z.boolean(),
}).openapi("SessionInfo");
const SessionSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  remember: z.boolean(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean(),
}).openapi("Session");
const TokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
}).openapi("ApiToken");
const IdParam = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/, "not a valid id") });
const NoContent = { description: "Done" };
const iso = (ms: number) => new Date(ms).toISOString();

/** Builds the auth router. */
export function createAuthRoutes(deps: AuthRouteDeps): OpenAPIHono<AppEnv> {
  const { db, auth } = deps;
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post",
      path: "/setup",
      tags: ["auth"],
      summary: "First-run setup: choose the admin password (409 once set up)",
      request: body(z.object({ password: Password }).strict()),
      responses: { 201: NoContent, 409: PROBLEM_RESPONSES[400], ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      await setUp(c, deps, c.req.valid("json").password);
      return c.body(null, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/login",
      tags: ["auth"],
      summary: "Sign in; sets the session cookie and returns the CSRF token",
      request: body(z.object({ password: Password, remember: z.boolean().optional() }).strict()),
      responses: { 200: json(SessionInfoSchema, "Signed in"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { password, remember = false } = c.req.valid("json");
      const session = await signIn(c, deps, password, remember);
      return c.json(sessionInfo(session, auth.mustChangePassword()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/logout",
      tags: ["auth"],
      summary: "Sign out: revokes this session",
      responses: { 204: NoContent, ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const p = c.var.principal;
      if (p?.kind === "session") auth.revokeSession(p.session.id);
      deleteCookie(c, sessionCookieName(c), { path: "/", secure: c.var.secure });
      auditRequest(c, db, { action: "auth.logout", result: "success" });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/session",
      tags: ["auth"],
      summary: "Who is signed in, and the CSRF token for writes",
      responses: { 200: json(SessionInfoSchema, "The current credentials"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const p = c.var.principal!;
      if (p.kind === "token") {
        return c.json({
          kind: "token" as const,
          tokenName: p.token.name,
          mustChangePassword: false,
        }, 200);
      }
      return c.json(sessionInfo(p.session, auth.mustChangePassword()), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/password",
      tags: ["auth"],
      summary: "Change the admin password; revokes every other session and all API tokens",
      request: body(z.object({ current: Password, new: Password }).strict()),
      responses: { 204: NoContent, 409: PROBLEM_RESPONSES[400], ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      if (deps.passwordFromEnvironment) {
        throw new ConflictError("The password is set by BOSUN_ADMIN_PASSWORD; change it there");
      }
      const { current, new: next } = c.req.valid("json");
      const p = c.var.principal;
      try {
        await auth.changePassword(current, next, p?.kind === "session" ? p.session.id : undefined);
      } catch (err) {
        auditRequest(c, db, { action: "auth.password", result: "failure", error: errorText(err) });
        throw err;
      }
      auditRequest(c, db, { action: "auth.password", result: "success" });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/sessions",
      tags: ["auth"],
      summary: "List live sessions",
      responses: { 200: json(z.array(SessionSchema), "Sessions"), ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const p = c.var.principal;
      const currentId = p?.kind === "session" ? p.session.id : undefined;
      return c.json(auth.listSessions().map((s) => sessionDto(s, s.id === currentId)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/sessions/{id}",
      tags: ["auth"],
      summary: "Revoke a session",
      request: { params: IdParam },
      responses: { 204: NoContent, 404: PROBLEM_RESPONSES[400], ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      if (!auth.revokeSession(id)) throw new NotFoundError(`No session "${id}"`);
      auditRequest(c, db, { action: "auth.session.revoke", target: id, result: "success" });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/tokens",
      tags: ["auth"],
      summary: "List API tokens (never their values)",
      responses: { 200: json(z.array(TokenSchema), "Tokens"), ...PROBLEM_RESPONSES },
    }),
    (c) =>
      c.json(
        auth.listTokens().map((t) => ({
          id: t.id,
          name: t.name,
          createdAt: iso(t.createdAt),
          lastUsedAt: t.lastUsedAt ? iso(t.lastUsedAt) : null,
        })),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/tokens",
      tags: ["auth"],
      summary: "Create an API token; its value is shown only in this answer",
      request: body(z.object({ name: z.string().trim().min(1).max(64) }).strict()),
      responses: {
        201: json(z.object({ id: z.string(), name: z.string(), token: z.string() }), "Created"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const created = await auth.createToken(c.req.valid("json").name);
      auditRequest(c, db, {
        action: "auth.token.create",
        target: created.id,
        result: "success",
        details: { name: created.name },
      });
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/tokens/{id}",
      tags: ["auth"],
      summary: "Revoke an API token",
      request: { params: IdParam },
      responses: { 204: NoContent, 404: PROBLEM_RESPONSES[400], ...PROBLEM_RESPONSES },
    }),
    (c) => {
      const { id } = c.req.valid("param");
      if (!auth.revokeToken(id)) throw new NotFoundError(`No API token "${id}"`);
      auditRequest(c, db, { action: "auth.token.revoke", target: id, result: "success" });
      return c.body(null, 204);
    },
  );

  return app;
}

function sessionInfo(s: Session, mustChangePassword: boolean) {
  return {
    kind: "session" as const,
    sessionId: s.id,
    csrfToken: s.csrfToken,
    expiresAt: iso(s.expiresAt),
    mustChangePassword,
  };
}

function sessionDto(s: Session, current: boolean) {
  return {
    id: s.id,
    createdAt: iso(s.createdAt),
    lastSeenAt: iso(s.lastSeenAt),
    expiresAt: iso(s.expiresAt),
    remember: s.remember,
    ip: s.ip,
    userAgent: s.userAgent,
    current,
  };
}
