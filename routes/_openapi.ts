/** The router factory every API area uses: zod validation failures become 400 problems. */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { ValidationError } from "../lib/errors.ts";
import type { AppEnv } from "./_env.ts";
import { zodIssues } from "./_problem.ts";

/** A new API router whose validation failures throw `ValidationError` (→ 400 problem). */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = zodIssues(result.error);
        const where = { json: "body", query: "query", param: "path" }[result.target as string] ??
          result.target;
        throw new ValidationError(
          `Invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
          issues.map((i) => ({ ...i, path: `${where}.${i.path}` })),
        );
      }
    },
  });
}

/** A JSON response of `schema`, for `createRoute({ responses })`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A required JSON request body of `schema`, for `createRoute({ request })`. */
export const body = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

/** A Server-Sent Events response, for `createRoute({ responses })`. */
export const SSE_STREAM = {
  description: "An SSE stream",
  content: { "text/event-stream": { schema: z.string() } },
};

/** Any JSON object, for answers whose shape the OpenAPI document leaves open. */
export const Any = z.record(z.string(), z.unknown());
