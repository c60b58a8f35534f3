/**
 * `GET /api/containers/{id}/exec` (WebSocket): an interactive TTY session in a running
 * container, bridged to the engine's hijacked exec stream. Browser → server: binary frames
 * or `{type:"input",data}` are keystrokes, `{type:"resize",cols,rows}` resizes. Server →
 * browser: binary frames of output, then `{type:"exit",code}`. Closing the socket ends the
 * session. The upgrade checks `Origin` (cross-site WebSocket hijacking) and needs a session.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import { inspectContainer } from "../lib/docker/containers.ts";
import { TerminalSession } from "../lib/containers/terminal.ts";
import { ConflictError, ForbiddenError, ValidationError } from "../lib/errors.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { requestHost } from "./_middleware.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Query of an exec session. */
export const ExecQuerySchema = z.object({
  shell: z.string().regex(/^\/[A-Za-z0-9_.\/-]{1,127}$/, "an absolute path like /bin/sh")
    .refine((p) => !p.split("/").includes(".."), "must not contain ..")
    .default("/bin/sh"),
  user: z.string().regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31})?$/,
    "a user name or uid, optionally :group",
  ).optional(),
  cwd: z.string().regex(/^\/[A-Za-z0-9_.\/ -]{0,255}$/, "an absolute path")
    .refine((p) => !p.split("/").includes(".."), "must not contain ..")
    .optional(),
  cols: z.coerce.number().int().min(10).max(500).default(80),
  rows: z.coerce.number().int().min(5).max(200).default(24),
}).strict();

const ClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("input"), data: z.string().max(65536) }),
  z.object({
    type: z.literal("resize"),
    cols: z.number().int().min(10).max(500),
    rows: z.number().int().min(5).max(200),
  }),
]);

function assertSameOrigin(c: Context<AppEnv>): void {
  const origin = c.req.header("Origin");
  const expected = `${c.var.secure ? "https" : "http"}://${requestHost(c)}`;
  const fromBrowserSession = c.var.principal?.kind === "session";
  if ((origin && origin !== expected) || (!origin && fromBrowserSession)) {
    throw new ForbiddenError("Cross-origin WebSocket refused", "origin");
  }
}

/** Builds the exec route (mounted under /api/containers). */
export function createExecRoutes(
  deps: { docker: DockerClient; db: DatabaseSync },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/exec",
      tags: ["containers"],
      summary: "Interactive shell over a WebSocket (TTY; shell, user, cwd, cols, rows)",
      request: { params: z.object({ id: ContainerRefSchema }), query: ExecQuerySchema },
      responses: {
        101: { description: "Switching to the WebSocket protocol" },
        ...PROBLEM_RESPONSES,
      },
    }),
    // @ts-ignore: the WebSocket upgrade answers 101, which the typed responses cannot express
    async (c, next) => {
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
        throw new ValidationError("This endpoint needs a WebSocket upgrade");
      }
      try {
        assertSameOrigin(c);
      } catch (err) {
        auditRequest(c, deps.db, {
          action: "container.exec",
          target: c.req.valid("param").id,
          result: "denied",
          error: (err as Error).message,
        });
        throw err;
      }
      const q = c.req.valid("query");
      const container = await inspectContainer(deps.docker, c.req.valid("param").id);
      const name = container.Name.replace(/^\//, "");
      if (container.State.Status !== "running") {
        throw new ConflictError(
          `Cannot open a shell in "${name}": it is ${container.State.Status}`,
        );
      }
      const session = await TerminalSession.create(deps.docker, container.Id, {
        shell: q.shell,
        user: q.user,
        cwd: q.cwd,
        cols: q.cols,
        rows: q.rows,
      });
      auditRequest(c, deps.db, {
        action: "container.exec",
        target: name,
        result: "success",
        details: { shell: q.shell, user: q.user ?? null, cwd: q.cwd ?? null },
      });
      const log = c.var.log;
      const upgrade = upgradeWebSocket(() => ({
        onOpen: async (_event, ws) => {
          try {
            await session.attach(
              { cols: q.cols, rows: q.rows },
              (data) => ws.send(new Uint8Array(data)),
              (code) => {
                try {
                  ws.send(JSON.stringify({ type: "exit", code }));
                  ws.close(1000, "session ended");
                } catch {
                  // the browser already left
                }
              },
            );
          } catch (err) {
            log.warn("exec attach failed", { error: (err as Error).message });
            ws.send(JSON.stringify({ type: "error", detail: (err as Error).message }));
            ws.close(1011, "attach failed");
          }
        },
        onMessage: (event) => {
          if (typeof event.data !== "string") {
            session.write(new Uint8Array(event.data as ArrayBuffer));
            return;
          }
          let parsed;
          try {
            parsed = ClientMessageSchema.safeParse(JSON.parse(event.data));
          } catch {
            return;
          }
          if (!parsed.success) return;
          if (parsed.data.type === "input") session.write(parsed.data.data);
          else void session.resize(parsed.data);
        },
        onClose: () => {
          void session.close();
        },
      }));
      // deno-lint-ignore no-explicit-any
      return upgrade(c as any, next);
    },
  );
  return app;
}
