/** `/static/*`: CSS, icons and bundled island JS, confined to the static directory. */
import { Hono } from "hono";
import type { AppEnv } from "./_env.ts";

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** Serves files under `dir` (absolute, ending in "/"); anything else is 404. */
export function createStaticRoutes(dir: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/*", async (c) => {
    const rel = decodeURIComponent(c.req.path.replace(/^\/static\//, ""));
    const ext = rel.slice(rel.lastIndexOf("."));
    if (
      !/^[A-Za-z0-9_\-/.]+$/.test(rel) || rel.split("/").some((s) => s === ".." || s === "") ||
      !TYPES[ext]
    ) {
      return c.notFound();
    }
    try {
      const data = await Deno.readFile(dir + rel);
      return c.body(data, 200, {
        "Content-Type": TYPES[ext],
        "Cache-Control": c.req.query("v") ? "public, max-age=31536000, immutable" : "no-cache",
      });
    } catch {
      return c.notFound();
    }
  });
  return app;
}
