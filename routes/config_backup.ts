/**
 * `/api/system/config-backups`: Bosun's own configuration backup (database snapshot, stacks,
 * and the secret key only when sealed with a passphrase), listed and downloadable.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import { NotFoundError, ValidationError } from "../lib/errors.ts";
import {
  configBackupName,
  isConfigBackupName,
  writeConfigBackup,
} from "../lib/system/config_backup.ts";
import { getSealed, hasSealed, setSealed } from "../lib/settings/sealed.ts";
import type { SecretBox } from "../lib/secrets/secret_box.ts";
import { audited } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { sendFile } from "./_files.ts";
import { Any, createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

/** Builds the config backup routes (mounted under /api/system/config-backups). */
export function createConfigBackupRoutes(
  deps: {
    db: DatabaseSync;
    dataDir: string;
    vaultDir: string;
    serverName: () => string;
    version: string;
    secrets: SecretBox;
  },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["system"],
      summary: "Back up Bosun's own configuration; the secret key only with a passphrase",
      request: {
        body: {
          required: false,
          content: {
            "application/json": {
              schema: z.object({ passphrase: z.string().min(12).max(1024).optional() }).strict(),
            },
          },
        },
      },
      responses: {
        201: { description: "Written", content: { "application/json": { schema: Any } } },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const passphrase = c.req.valid("json")?.passphrase ??
        await getSealed(deps.db, deps.secrets, "configBackupPassphrase");
      const file = configBackupName(deps.serverName(), new Date());
      const result = await audited(
        c,
        deps.db,
        { action: "backup.config", target: file },
        () =>
          writeConfigBackup(deps.db, deps.dataDir, `${deps.vaultDir}/${file}`, {
            server: deps.serverName(),
            version: deps.version,
            passphrase,
          }),
        (r) => r,
      );
      const size = (await Deno.stat(`${deps.vaultDir}/${file}`)).size;
      return c.json({ file, size, ...result }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["system"],
      summary: "Configuration backups in the vault, newest first",
      responses: {
        200: { description: "Files", content: { "application/json": { schema: z.array(Any) } } },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const out: { file: string; size: number }[] = [];
      for await (const e of Deno.readDir(deps.vaultDir)) {
        if (e.isFile && isConfigBackupName(e.name)) {
          out.push({ file: e.name, size: (await Deno.stat(`${deps.vaultDir}/${e.name}`)).size });
        }
      }
      return c.json(out.sort((a, b) => b.file.localeCompare(a.file)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/passphrase",
      tags: ["system"],
      summary: "Whether a passphrase for scheduled configuration backups is stored",
      responses: {
        200: {
          description: "Set or not (never the passphrase)",
          content: { "application/json": { schema: z.object({ set: z.boolean() }) } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    (c) => c.json({ set: hasSealed(deps.db, "configBackupPassphrase") }, 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/passphrase",
      tags: ["system"],
      summary: "Store (sealed) or remove the passphrase scheduled configuration backups use",
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: z.object({ passphrase: z.string().min(12).max(1024).nullable() }).strict(),
            },
          },
        },
      },
      responses: {
        200: {
          description: "Set or not",
          content: { "application/json": { schema: z.object({ set: z.boolean() }) } },
        },
        ...PROBLEM_RESPONSES,
      },
    }),
    async (c) => {
      const { passphrase } = c.req.valid("json");
      await audited(
        c,
        deps.db,
        { action: "settings.config-passphrase", target: passphrase ? "set" : "removed" },
        () => setSealed(deps.db, deps.secrets, "configBackupPassphrase", passphrase),
      );
      return c.json({ set: passphrase !== null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{file}/download",
      tags: ["system"],
      summary: "Download a configuration backup",
      request: { params: z.object({ file: z.string().max(255) }) },
      responses: { 200: { description: "The archive" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { file } = c.req.valid("param");
      if (!isConfigBackupName(file)) throw new ValidationError("Not a configuration backup name");
      const path = `${deps.vaultDir}/${file}`;
      const size = await Deno.stat(path).then((s) => s.size, () => {
        throw new NotFoundError(`No configuration backup "${file}"`);
      });
      return await sendFile(c, path, { name: file, contentType: "application/gzip", size });
    },
  );
  return app;
}
