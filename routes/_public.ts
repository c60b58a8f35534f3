/**
 * The one list of routes reachable without credentials. Everything else answers 401.
 * A route added later is protected unless it is added here on purpose.
 */

/** Method and path pattern (`*` matches the rest) of each public route. */
export const PUBLIC_ROUTES: { method: string; path: string }[] = [
  { method: "GET", path: "/healthz" },
  { method: "GET", path: "/login" },
  { method: "POST", path: "/login" },
  { method: "GET", path: "/setup" },
  { method: "POST", path: "/setup" },
  { method: "POST", path: "/api/auth/login" },
  { method: "POST", path: "/api/auth/setup" },
  { method: "GET", path: "/static/*" },
  { method: "GET", path: "/favicon.ico" },
  // A backup download link: the token in the path is the credential, scoped to one file.
  { method: "GET", path: "/dl/*" },
];

/** Routes that take large streamed bodies and enforce their own caps. */
export const BODY_LIMIT_EXEMPT = [
  { method: "POST", path: "/api/backups/upload" },
  { method: "POST", path: "/api/volumes/{name}/upload" },
];

/** Routes that stay usable while a temporary password must be changed. */
export const PASSWORD_CHANGE_ROUTES: { method: string; path: string }[] = [
  { method: "GET", path: "/api/auth/session" },
  { method: "POST", path: "/api/auth/password" },
  { method: "POST", path: "/api/auth/logout" },
  { method: "GET", path: "/change-password" },
];

/** Streams (SSE, progress) are exempt from the general per-IP rate limit. */
export const RATE_LIMIT_EXEMPT = [/\/stream$/, /\/events$/];

/** True when `method path` matches one of `routes`. */
export function matchesRoute(
  routes: { method: string; path: string }[],
  method: string,
  path: string,
): boolean {
  const m = method === "HEAD" ? "GET" : method;
  const segments = path.split("/");
  return routes.some((r) => {
    if (r.method !== m) return false;
    if (r.path.endsWith("/*")) return path.startsWith(r.path.slice(0, -1));
    // A `{param}` segment matches any one non-empty segment.
    const want = r.path.split("/");
    return want.length === segments.length &&
      want.every((w, i) => w === segments[i] || (/^\{\w+\}$/.test(w) && segments[i] !== ""));
  });
}
