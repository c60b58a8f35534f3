/**
 * The Engine API client: JSON control calls over `fetch` (unix socket or tcp+TLS), bulk
 * streams over `node:http` (12× faster than unix-socket fetch for large bodies, see
 * DESIGN.md). The API version is negotiated from `/version`: the engine's own, capped at
 * the newest this client knows.
 */
import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import { Buffer } from "node:buffer";
import { type Duplex, Readable } from "node:stream";
import type { z } from "zod";
import { RawConnectionError, rawGet, type RawResponse, rawSend } from "../http/raw.ts";
import {
  DockerBadRequestError,
  DockerConflictError,
  DockerError,
  DockerNotFoundError,
  DockerResponseError,
  DockerTimeoutError,
  DockerUnavailableError,
} from "./errors.ts";

/** The newest Engine API version this client has been written against. */
export const MAX_API_VERSION = "1.51";
const ERROR_BODY_CAP = 64 * 1024;

/** How to reach one engine. */
export interface DockerClientOptions {
  /** `unix:///var/run/docker.sock` or `tcp://host:2376`. */
  host: string;
  /** PEM contents for tcp+TLS (from `DOCKER_CERT_PATH`). */
  tls?: { ca?: string; cert: string; key: string };
  /** Timeout of one control call. */
  timeoutMs: number;
}

/** Options of one control call. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Options of one streamed call. */
export interface StreamOptions {
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
}

/** Compares dotted API versions numerically ("1.9" < "1.41"). */
export function compareApiVersions(a: string, b: string): number {
  const [amaj, amin] = a.split(".").map(Number);
  const [bmaj, bmin] = b.split(".").map(Number);
  return amaj - bmaj || amin - bmin;
}

/** A connection to one Docker engine. Construct once in `main.ts`, close at shutdown. */
export class DockerClient {
  readonly host: string;
  readonly #timeoutMs: number;
  readonly #httpClient: Deno.HttpClient;
  readonly #baseUrl: string;
  readonly #nodeTarget: http.RequestOptions;
  readonly #nodeModule: typeof http | typeof https;
  #apiVersion?: Promise<string>;

  constructor(options: DockerClientOptions) {
    this.host = options.host;
    this.#timeoutMs = options.timeoutMs;
    const url = new URL(options.host.replace(/^unix:\/\//, "unix:"));
    if (options.host.startsWith("unix://")) {
      const path = options.host.slice("unix://".length);
      this.#httpClient = Deno.createHttpClient({ proxy: { transport: "unix", path } });
      this.#baseUrl = "http://docker";
      this.#nodeTarget = { socketPath: path };
      this.#nodeModule = http;
    } else {
      const hostPort = options.host.slice("tcp://".length);
      const [hostname, port] = [url.hostname, url.port || (options.tls ? "2376" : "2375")];
      const tls = options.tls;
      this.#httpClient = Deno.createHttpClient(
        tls ? { caCerts: tls.ca ? [tls.ca] : undefined, cert: tls.cert, key: tls.key } : {},
      );
      this.#baseUrl = `${tls ? "https" : "http"}://${hostPort.replace(/\/$/, "")}`;
      this.#nodeTarget = tls
        ? {
          host: hostname,
          port,
          servername: isIP(hostname) ? undefined : hostname,
          ca: tls.ca,
          cert: tls.cert,
          key: tls.key,
        } as https.RequestOptions
        : { host: hostname, port };
      this.#nodeModule = tls ? https : http;
    }
  }

  /** The negotiated API version ("1.41"), asked of the engine once per connection. */
  apiVersion(signal?: AbortSignal): Promise<string> {
    this.#apiVersion ??= this.#negotiate(signal).catch((err) => {
      this.#apiVersion = undefined;
      throw err;
    });
    return this.#apiVersion;
  }

  /** Forgets the negotiated version, so the next call asks again (after a reconnect). */
  resetApiVersion(): void {
    this.#apiVersion = undefined;
  }

  async #negotiate(signal?: AbortSignal): Promise<string> {
    const res = await this.#fetch("GET", "/version", { signal });
    const body = await this.#readJson("GET", "/version", res);
    const version = typeof body === "object" && body && "ApiVersion" in body
      ? String(body.ApiVersion)
      : undefined;
    if (!version || !/^\d+\.\d+$/.test(version)) {
      throw new DockerResponseError("The engine's /version has no ApiVersion");
    }
    return compareApiVersions(version, MAX_API_VERSION) > 0 ? MAX_API_VERSION : version;
  }

  /** One JSON control call; the body is checked by `schema`. */
  async request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const versioned = await this.#versioned(path, options.signal);
    const { res, timeout, timeoutMs } = await this.#fetchTimed(method, versioned, options);
    let body: unknown;
    try {
      body = await this.#readJson(method, path, res);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) throw new DockerTimeoutError(method, path, timeoutMs);
      throw err;
    }
    const result = schema.safeParse(body);
    if (!result.success) {
      throw new DockerResponseError(
        `The engine's answer to ${method} ${path} is not what Bosun expects: ${
          result.error.issues[0]?.path.join(".")
        } ${result.error.issues[0]?.message}`,
      );
    }
    return result.data;
  }

  /** One control call whose answer has no body worth reading (204; 304 counts as done). */
  async requestEmpty(method: string, path: string, options: RequestOptions = {}): Promise<number> {
    const res = await this.#fetch(method, await this.#versioned(path, options.signal), options);
    // 304: already in the asked state (start a running container, stop a stopped one).
    if (!res.ok && res.status !== 304) throw await this.#toError(method, path, res);
    await res.body?.cancel();
    return res.status;
  }

  /** `GET /_ping` without version negotiation: true when the engine answers OK. */
  async ping(signal?: AbortSignal): Promise<boolean> {
    const res = await this.#fetch("GET", "/_ping", { signal });
    await res.body?.cancel();
    return res.ok;
  }

  /**
   * A bulk stream through `node:http` (archives, image save/load, log follows). Resolves
   * with the response once headers arrive; non-2xx responses reject with a typed error.
   */
  async stream(method: string, path: string, options: StreamOptions = {}) {
    const fullPath = withQuery(await this.#versioned(path, options.signal), options.query);
    return await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = this.#nodeModule.request({
        ...this.#nodeTarget,
        method,
        path: fullPath,
        headers: this.#nodeTarget.socketPath
          ? { Host: "docker", ...options.headers }
          : { ...options.headers },
        signal: options.signal,
      }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readCapped(res).then((text) => reject(this.#errorFor(method, path, status, text)), reject);
      });
      req.on("error", (err: Error & { code?: string }) => {
        if (err.name === "AbortError") reject(err);
        else reject(new DockerUnavailableError(this.host, { cause: err }));
      });
      writeBody(req, options.body).catch((err) => req.destroy(err));
    });
  }

  /**
   * A bulk download (`GET`: a volume's archive) as a pull stream that reads the engine only as
   * fast as the consumer takes it. Over a Unix socket it reads with one reused buffer
   * (`lib/http/raw.ts`), which keeps a backup's memory down; elsewhere it goes through `stream`.
   * Non-2xx responses reject with a typed error; cancelling the stream closes the connection.
   */
  async download(
    path: string,
    options: Pick<StreamOptions, "query" | "signal"> = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const socketPath = this.#nodeTarget.socketPath;
    if (!socketPath) {
      return Readable.toWeb(await this.stream("GET", path, options)) as ReadableStream<Uint8Array>;
    }
    const fullPath = withQuery(await this.#versioned(path, options.signal), options.query);
    const res = await this.#raw(() => rawGet(socketPath, fullPath, { signal: options.signal }));
    if (res.status >= 200 && res.status < 300) return res.body;
    throw await this.#rawError("GET", path, res);
  }

  /**
   * A bulk upload (`PUT` a tar into a container's path) sent chunk by chunk as `body` yields,
   * over a Unix socket without `node:http`'s buffering (see `download`). Resolves once the
   * engine answered 2xx; an error of `body` itself is thrown as it is, and the engine,
   * seeing a cut body, applies nothing.
   */
  async upload(
    method: string,
    path: string,
    options: StreamOptions & { body: AsyncIterable<Uint8Array> },
  ): Promise<void> {
    const socketPath = this.#nodeTarget.socketPath;
    if (!socketPath) {
      for await (const _ of await this.stream(method, path, options)) { /* drain the answer */ }
      return;
    }
    const fullPath = withQuery(await this.#versioned(path, options.signal), options.query);
    const res = await this.#raw(() =>
      rawSend(socketPath, method, fullPath, options.body, {
        headers: options.headers,
        signal: options.signal,
      })
    );
    if (res.status < 200 || res.status >= 300) throw await this.#rawError(method, path, res);
    await res.body.cancel();
  }

  async #raw(exchange: () => Promise<RawResponse>): Promise<RawResponse> {
    try {
      return await exchange();
    } catch (err) {
      if (err instanceof RawConnectionError) {
        throw new DockerUnavailableError(this.host, { cause: err });
      }
      throw err;
    }
  }

  async #rawError(method: string, path: string, res: RawResponse): Promise<DockerError> {
    return this.#errorFor(method, path, res.status, await readCapped(res.body));
  }

  /**
   * A hijacked connection (`POST /exec/{id}/start` with `Upgrade: tcp`): resolves with the
   * raw duplex socket once the engine switches protocols, and any bytes it already sent.
   */
  async hijack(
    path: string,
    body: unknown,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ socket: Duplex; head: Uint8Array }> {
    const fullPath = await this.#versioned(path, options.signal);
    const payload = JSON.stringify(body);
    return await new Promise((resolve, reject) => {
      const req = this.#nodeModule.request({
        ...this.#nodeTarget,
        method: "POST",
        path: fullPath,
        headers: {
          ...(this.#nodeTarget.socketPath ? { Host: "docker" } : {}),
          "Content-Type": "application/json",
          "Content-Length": String(Buffer.byteLength(payload)),
          Connection: "Upgrade",
          Upgrade: "tcp",
        },
        signal: options.signal,
      });
      req.on("upgrade", (_res, socket, head) => resolve({ socket, head: new Uint8Array(head) }));
      req.on("response", (res) => {
        readCapped(res).then(
          (text) => reject(this.#errorFor("POST", path, res.statusCode ?? 0, text)),
          reject,
        );
      });
      req.on("error", (err: Error) => {
        if (err.name === "AbortError") reject(err);
        else reject(new DockerUnavailableError(this.host, { cause: err }));
      });
      req.end(payload);
    });
  }

  /** Releases the fetch client's pooled connections. */
  close(): void {
    this.#httpClient.close();
  }

  async #versioned(path: string, signal?: AbortSignal): Promise<string> {
    return `/v${await this.apiVersion(signal)}${path}`;
  }

  async #fetch(method: string, path: string, options: RequestOptions): Promise<Response> {
    return (await this.#fetchTimed(method, path, options)).res;
  }

  /** `fetch` with the call's timeout; the timeout signal also covers reading the body. */
  async #fetchTimed(method: string, path: string, options: RequestOptions) {
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const url = withQuery(`${this.#baseUrl}${path}`, options.query);
    const init: RequestInit & { client: Deno.HttpClient } = {
      method,
      signal,
      client: this.#httpClient,
    };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers = { "Content-Type": "application/json" };
    }
    try {
      return { res: await fetch(url, init), timeout, timeoutMs };
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) throw new DockerTimeoutError(method, path, timeoutMs);
      throw new DockerUnavailableError(this.host, { cause: err });
    }
  }

  async #readJson(method: string, path: string, res: Response): Promise<unknown> {
    if (!res.ok) throw await this.#toError(method, path, res);
    const text = await res.text();
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      throw new DockerResponseError(`The engine's answer to ${method} ${path} is not JSON`);
    }
  }

  async #toError(method: string, path: string, res: Response): Promise<Error> {
    let text = "";
    if (res.body) {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      while (text.length < ERROR_BODY_CAP) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      await reader.cancel();
    }
    return this.#errorFor(method, path, res.status, text);
  }

  #errorFor(method: string, path: string, status: number, text: string): DockerError {
    const message = daemonMessage(text) || `The engine answered ${status} to ${method} ${path}`;
    const ErrorClass = status === 404
      ? DockerNotFoundError
      : status === 409
      ? DockerConflictError
      : status === 400
      ? DockerBadRequestError
      : DockerError;
    return new ErrorClass(status, method, path, message);
  }
}

function daemonMessage(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && "message" in parsed) {
      return String(parsed.message);
    }
  } catch {
    // not JSON: the plain text is the message
  }
  return text.trim().slice(0, 500);
}

function withQuery(path: string, query?: StreamOptions["query"]): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** An error answer's text, up to the cap (the rest is read and dropped). */
async function readCapped(res: AsyncIterable<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of res) {
    if (text.length < ERROR_BODY_CAP) text += new TextDecoder().decode(chunk);
  }
  return text;
}

async function writeBody(req: http.ClientRequest, body: StreamOptions["body"]): Promise<void> {
  if (body === undefined) return void req.end();
  if (body instanceof Uint8Array) return void req.end(body);
  for await (const chunk of body) {
    if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
  }
  req.end();
}
