/**
 * Typed fetch wrappers for islands: JSON in, JSON out, problem+json into `ApiError`; and
 * `useActions`, the status and error lines a board shows for what its buttons did.
 */
import { useSignal } from "@preact/signals";

/** An API failure with the server's problem detail. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** Calls the API; resolves with the parsed JSON body (undefined for 204). */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return await send<T>(
    method,
    path,
    headers,
    body === undefined ? undefined : JSON.stringify(body),
  );
}

/** Posts raw bytes (a file) to the API; resolves with the parsed JSON answer. */
export async function upload<T = unknown>(
  path: string,
  file: Blob,
  contentType: string,
): Promise<T> {
  return await send<T>(
    "POST",
    path,
    { Accept: "application/json", "Content-Type": contentType },
    file,
  );
}

async function send<T>(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: BodyInit | undefined,
): Promise<T> {
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const init: RequestInit = { method, headers, body, credentials: "same-origin" };
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    // A read is safe to ask again: one aborted in flight by an address change (see _boot.ts)
    // gets a second try. A write is not repeated, as the server may have done it.
    if (method !== "GET") throw err;
    await new Promise((resolve) => setTimeout(resolve, 250));
    res = await fetch(path, init);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const p = (parsed ?? {}) as { detail?: string; errors?: { path: string; message: string }[] };
    throw new ApiError(res.status, p.detail ?? `Request failed (${res.status})`, p.errors);
  }
  // Every action answers the docker command it equals; the page's CliToast shows it.
  const cli = (parsed as { cli?: unknown } | undefined)?.cli;
  if (method !== "GET" && typeof cli === "string") {
    globalThis.dispatchEvent(new CustomEvent("bosun-cli", { detail: cli }));
  }
  return parsed as T;
}

/** The message to show for a failed call: the problem's detail, or that Bosun did not answer. */
export function problemText(err: unknown): string {
  return err instanceof ApiError ? err.message : "Bosun did not answer";
}

/**
 * Runs `call`; when the API answers 428 (a PRD container's name must be confirmed), asks the
 * user to type the name and runs it again with it. A cancelled prompt rejects with the 428.
 */
export async function withConfirmation<T>(call: (confirm?: string) => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 428) throw err;
    const typed = prompt(`${err.message}\n\nType the name to confirm:`);
    if (typed === null || typed.trim() === "") throw err;
    return await call(typed.trim());
  }
}

/**
 * A board's status and error lines and `act`: runs an action that answers what it did, shows
 * that or the problem, then `reload`s the board. `busy` is true while the action runs.
 */
export function useActions(reload: () => Promise<void>) {
  const status = useSignal("");
  const error = useSignal("");
  const busy = useSignal(false);
  const act = async (fn: () => Promise<string>) => {
    status.value = error.value = "";
    busy.value = true;
    try {
      status.value = await fn();
    } catch (err) {
      error.value = problemText(err);
    } finally {
      busy.value = false;
    }
    await reload();
  };
  return { status, error, busy, act };
}
