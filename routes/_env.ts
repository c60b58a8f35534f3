/** Types shared by every route and middleware: the Hono environment. */
import type { ApiToken, Session } from "../lib/auth/auth_service.ts";
import type { Logger } from "../lib/log/logger.ts";

/** Who is making the request. */
export type Principal =
  | { kind: "session"; session: Session }
  | { kind: "token"; token: ApiToken };

/** Per-request values (`c.var`) and per-connection bindings (`c.env`). */
export interface AppEnv {
  Bindings: { remoteAddr?: string; tls?: boolean };
  Variables: {
    requestId: string;
    log: Logger;
    ip: string;
    secure: boolean;
    principal?: Principal;
    /**
     * Set by pages whose islands add `<style>` elements (xterm.js): CSP then allows inline
     * styles on that response only; scripts stay `'self'`.
     */
    inlineStyles?: boolean;
  };
}

/** The name the audit log records for a principal. */
export function principalName(p: Principal | undefined): string | undefined {
  if (!p) return undefined;
  return p.kind === "session" ? "admin" : `token:${p.token.name}`;
}
