/** Maps errors to RFC 9457 `application/problem+json` responses with stable `type`s. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import {
  DockerBadRequestError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerResponseError,
  DockerTimeoutError,
  DockerUnavailableError,
} from "../lib/docker/errors.ts";
import { S3Error } from "../lib/storage/s3_client.ts";
import { SelfProtectionError } from "../lib/containers/self.ts";
import {
  ConfirmationRequiredError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from "../lib/errors.ts";
import type { AppEnv } from "./_env.ts";

/** The problem document Bosun answers with. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
/** An RFC 9457 problem document. */
export type Problem = z.infer<typeof ProblemSchema>;

const PROBLEM_BASE = "https://bosun.dev/problems/";

/** Builds a problem from any error; unknown errors give a generic 500. */
export function toProblem(err: unknown): Problem & { headers?: Record<string, string> } {
  const p = (status: number, slug: string, title: string, detail: string) => ({
    type: PROBLEM_BASE + slug,
    title,
    status,
    detail,
  });
  if (err instanceof ValidationError) {
    return { ...p(400, "validation", "Invalid request", err.message), errors: err.issues };
  }
  if (err instanceof HTTPException && err.status < 500) {
    const detail = err.status === 400 ? `Invalid request: ${err.message}` : err.message;
    return p(err.status, err.status === 400 ? "validation" : "http", "Request refused", detail);
  }
  if (err instanceof UnauthorizedError) {
    return p(401, "unauthorized", "Authentication required", err.message);
  }
  if (err instanceof ForbiddenError) return p(403, err.kind, "Forbidden", err.message);
  if (err instanceof NotFoundError || err instanceof DockerNotFoundError) {
    return p(404, "not-found", "Not found", err.message);
  }
  if (err instanceof ConflictError || err instanceof DockerConflictError) {
    return p(409, "conflict", "Conflict", err.message);
  }
  if (err instanceof ConfirmationRequiredError) {
    return p(428, "confirmation-required", "Confirmation required", err.message);
  }
  if (err instanceof SelfProtectionError) {
    return p(409, "self-protection", "Bosun protects itself", err.message);
  }
  if (err instanceof S3Error) {
    return p(502, "storage", "The storage target refused the request", err.message);
  }
  if (err instanceof PayloadTooLargeError) {
    return p(413, "payload-too-large", "Too large", err.message);
  }
  if (err instanceof RateLimitedError) {
    return {
      ...p(429, "rate-limited", "Too many requests", err.message),
      headers: { "Retry-After": String(err.retryAfterSeconds) },
    };
  }
  if (err instanceof DockerBadRequestError) {
    return p(400, "docker-bad-request", "The Docker engine refused the request", err.message);
  }
  if (err instanceof DockerUnavailableError) {
    return p(503, "docker-unavailable", "Docker engine unreachable", err.message);
  }
  if (err instanceof DockerTimeoutError) {
    return p(504, "docker-timeout", "Docker engine timed out", err.message);
  }
  if (err instanceof DockerError || err instanceof DockerResponseError) {
    return p(502, "docker-error", "Docker engine error", err.message);
  }
  return p(500, "internal", "Internal error", "Bosun failed to handle the request");
}

/** Sends `problem` as `application/problem+json`, stamped with the request id. */
export function problemResponse(
  c: Context<AppEnv>,
  problem: Problem & { headers?: Record<string, string> },
): Response {
  const { headers, ...body } = problem;
  const requestId = c.get("requestId");
  return new Response(JSON.stringify({ ...body, instance: c.req.path, requestId }), {
    status: body.status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

/** zod issues as the `errors` list of a validation problem. */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join(".") || "(root)", message: i.message }));
}

/** Reusable OpenAPI response entries for problems. */
export const PROBLEM_RESPONSES = {
  400: {
    description: "Invalid request",
    content: { "application/problem+json": { schema: ProblemSchema } },
  },
  401: {
    description: "Authentication required",
    content: { "application/problem+json": { schema: ProblemSchema } },
  },
  403: {
    description: "Forbidden (CSRF, origin)",
    content: { "application/problem+json": { schema: ProblemSchema } },
  },
  428: {
    description: "A PRD container's name must be confirmed (confirm)",
    content: { "application/problem+json": { schema: ProblemSchema } },
  },
  429: {
    description: "Rate limited",
    content: { "application/problem+json": { schema: ProblemSchema } },
  },
} as const;
