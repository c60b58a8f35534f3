/** Bosun's own error classes; `routes/_problem.ts` turns each into a problem response. */

/** Input that fails validation; `issues` name the fields. */
export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(message: string, readonly issues: { path: string; message: string }[] = []) {
    super(message);
  }
}

/** The named resource does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** The operation conflicts with the current state (already set up, name in use, …). */
export class ConflictError extends Error {
  override name = "ConflictError";
}

/** No valid credentials were presented. */
export class UnauthorizedError extends Error {
  override name = "UnauthorizedError";
}

/** Credentials were valid but the request is not allowed (CSRF, origin, forced change). */
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
  constructor(message: string, readonly kind: "csrf" | "origin" | "password-change" | "host") {
    super(message);
  }
}

/** Too many requests; retry after the given number of seconds. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
  }
}

/** A body or archive over a configured cap (answered 413). */
export class PayloadTooLargeError extends Error {
  override name = "PayloadTooLargeError";
}

/**
 * A destructive action on a production container without its confirmation (answered 428,
 * a type of its own so it is never mistaken for CSRF's 403): send `confirm` equal to `name`.
 */
export class ConfirmationRequiredError extends Error {
  override name = "ConfirmationRequiredError";
  readonly status = 428;
  constructor(message: string, readonly target: string) {
    super(message);
  }
}
