/**
 * Exports as `.tar.gz` downloads: one container (`/api/containers/{id}/export`) or many
 * (`/api/exports`, optionally one environment), secrets included only when asked (audited).
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { packTar } from "modern-tar";
import type { DatabaseSync } from "node:sqlite";
import { isWorkContainer } from "../lib/containers/recreate.ts";
import type { DockerClient } from "../lib/docker/client.ts";
import { listContainers } from "../lib/docker/containers.ts";
import { bulkExtras, type ContainerExport, exportContainer } from "../lib/export/export.ts";
import { fileStamp } from "../lib/backup/format.ts";
import { hostEnvironment } from "../lib/settings/settings.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { auditRequest } from "./_audit.ts";
import type { AppEnv } from "./_env.ts";
import { contentDisposition } from "./_files.ts";
import { createRouter } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const Secrets = z.enum(["true", "false"]).default("false")
  .describe("include secret values in .env (audited)");
const TAR = {
  200: {
    description: "A .tar.gz of plain files",
    content: { "application/gzip": { schema: z.string() } },
  },
};

async function archive(files: [string, string][]): Promise<ReadableStream<Uint8Array>> {
  const tar = await packTar(files.map(([name, text]) => {
    const data = new TextEncoder().encode(text);
    return {
      header: {
        name,
        size: data.length,
        mode: name.endsWith(".sh") ? 0o755 : name.endsWith(".env") ? 0o600 : 0o644,
        mtime: new Date(),
      },
      body: data,
    };
  }));
  return new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"));
}

const folder = (e: ContainerExport, prefix: string) =>
  [...e.files].map(([n, t]) => [`${prefix}${e.name}/${n}`, t] as [string, string]);

/** Builds the export routes (mounted at /api). */
export function createExportRoutes(
  deps: { docker: DockerClient; db: DatabaseSync },
): OpenAPIHono<AppEnv> {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/containers/{id}/export",
      tags: ["exports"],
      summary:
        "run.sh, compose.yaml, config.json and README.md of a container (and .env when secrets=true)",
      request: {
        params: z.object({ id: ContainerRefSchema }),
        query: z.object({ secrets: Secrets }).strict(),
      },
      responses: { ...TAR, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const includeSecrets = c.req.valid("query").secrets === "true";
      const e = await exportContainer(deps.docker, c.req.valid("param").id, {
        includeSecrets,
        hostEnvironment: hostEnvironment(deps.db),
      });
      auditRequest(c, deps.db, {
        action: "container.export",
        target: e.name,
        result: "success",
        details: { secrets: includeSecrets && e.secretKeys.length > 0 },
      });
      return new Response(await archive(folder(e, "")), {
        headers: {
          "Content-Type": "application/gzip",
          "Content-Disposition": contentDisposition(`${e.name}-export.tar.gz`),
          "Cache-Control": "no-store",
        },
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/exports",
      tags: ["exports"],
      summary:
        "Every container (or one environment's) in <ENV>/<name>/ folders, with MASTER-INVENTORY.md and create-networks.sh",
      request: {
        query: z.object({
          environment: z.enum(["PRD", "UAT", "DEV", "SANDBOX", "UNTAGGED"]).optional(),
          secrets: Secrets,
        }).strict(),
      },
      responses: { ...TAR, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { environment, secrets } = c.req.valid("query");
      const includeSecrets = secrets === "true";
      const host = hostEnvironment(deps.db);
      const exports: ContainerExport[] = [];
      for (const x of await listContainers(deps.docker)) {
        if (isWorkContainer(x)) continue;
        const e = await exportContainer(deps.docker, x.id, {
          includeSecrets,
          hostEnvironment: host,
        });
        if (!environment || e.environment === environment) exports.push(e);
      }
      exports.sort((a, b) =>
        a.environment.localeCompare(b.environment) || a.name.localeCompare(b.name)
      );
      auditRequest(c, deps.db, {
        action: "export.bulk",
        target: environment ?? "all",
        result: "success",
        details: { containers: exports.length, secrets: includeSecrets },
      });
      const files = [
        ...exports.flatMap((e) => folder(e, `${e.environment}/`)),
        ...bulkExtras(exports),
      ];
      return new Response(await archive(files), {
        headers: {
          "Content-Type": "application/gzip",
          "Content-Disposition": contentDisposition(
            `bosun-export-${environment ?? "all"}-${fileStamp(new Date())}.tar.gz`,
          ),
          "Cache-Control": "no-store",
        },
      });
    },
  );
  return app;
}
