/** `/api/notifications`: channels (secrets write-only), delivery status and "send test". */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { deleteChannel, listChannels, saveChannel } from "../lib/notify/channels.ts";
import type { Notifier } from "../lib/notify/notifier.ts";
import type { SecretBox } from "../lib/secrets/secret_box.ts";
import { ChannelInputSchema, NOTIFICATION_EVENTS } from "../lib/shared/notifications.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { Any, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const Id = z.object({ id: z.coerce.number().int().min(1) });
const Body = {
  body: { required: true, content: { "application/json": { schema: ChannelInputSchema } } },
};

/** Builds the notifications router. */
export function createNotificationRoutes(
  deps: { db: DatabaseSync; secrets: SecretBox; notifier: Notifier },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["notifications"],
      summary: "Channels (secrets never shown) and the events they can subscribe to",
      responses: { 200: json(Any, "Channels"), ...PROBLEM_RESPONSES },
    }),
    (c) => c.json({ events: [...NOTIFICATION_EVENTS], channels: listChannels(deps.db) }, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["notifications"],
      summary: "Add a channel",
      request: Body,
      responses: { 201: json(Any, "The channel"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const channel = await audited(
        c,
        deps.db,
        { action: "notification.create", target: input.name },
        () => saveChannel(deps.db, deps.secrets, input),
      );
      return c.json(channel, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}",
      tags: ["notifications"],
      summary: "Change a channel (a blank secret keeps the stored one)",
      request: { params: Id, ...Body },
      responses: { 200: json(Any, "The channel"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const channel = await audited(
        c,
        deps.db,
        { action: "notification.update", target: input.name },
        () => saveChannel(deps.db, deps.secrets, input, c.req.valid("param").id),
      );
      return c.json(channel, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags: ["notifications"],
      summary: "Remove a channel",
      request: { params: Id },
      responses: { 204: { description: "Removed" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "notification.delete", target: String(id) },
        () => Promise.resolve(deleteChannel(deps.db, id)),
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/test",
      tags: ["notifications"],
      summary: "Send a test message; answers whether it went out and, if not, why",
      request: { params: Id },
      responses: {
        200: json(z.object({ ok: z.boolean(), error: z.string().nullable() }), "Outcome"),
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const error = await deps.notifier.test(c.req.valid("param").id);
      return c.json({ ok: error === null, error }, 200);
    },
  );
  return app;
}
