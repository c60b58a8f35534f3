/** Typed errors of the Engine API client. Only `client.ts` maps status codes to these. */

/** The engine answered with a non-2xx status; `message` is the daemon's own. */
export class DockerError extends Error {
  override name = "DockerError";
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/** 404 from the engine: no such container, image, volume, network… */
export class DockerNotFoundError extends DockerError {
  override name = "DockerNotFoundError";
}

/** 409 from the engine: name in use, container running, … */
export class DockerConflictError extends DockerError {
  override name = "DockerConflictError";
}

/** 400 from the engine: a parameter the daemon refused. */
export class DockerBadRequestError extends DockerError {
  override name = "DockerBadRequestError";
}

/** The engine could not be reached at all (socket missing, refused, reset). */
export class DockerUnavailableError extends Error {
  override name = "DockerUnavailableError";
  constructor(readonly host: string, options?: ErrorOptions) {
    super(`Cannot connect to the Docker engine at ${host}`, options);
  }
}

/** The engine did not answer within the configured timeout. */
export class DockerTimeoutError extends Error {
  override name = "DockerTimeoutError";
  constructor(readonly method: string, readonly path: string, readonly timeoutMs: number) {
    super(`The Docker engine did not answer ${method} ${path} within ${timeoutMs} ms`);
  }
}

/** The engine answered 2xx with a body that does not match what Bosun expects. */
export class DockerResponseError extends Error {
  override name = "DockerResponseError";
}
