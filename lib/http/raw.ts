/**
 * Bulk HTTP/1.1 transfers with plain `conn.read`/`conn.write` and one reused read buffer,
 * for the engine's Unix socket and for S3 parts. A download's body comes out as a pull stream
 * (nothing is read before the consumer asks), each chunk a copy of just its bytes; an upload
 * is written from the caller's buffer (fixed length) or chunk by chunk as it is produced
 * (chunked). `node:http` reads ahead of its consumer and leaves a 64 KiB buffer behind per
 * chunk, and `fetch` copies a request body before sending it: that cost a backup, a restore,
 * a volume listing or an S3 upload 80–280 MiB of memory.
 */

const HEAD_CAP = 64 * 1024;
const READ_SIZE = 256 * 1024;
const CRLF = new Uint8Array([13, 10]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The status, headers and body of a response; the body must be read or cancelled. */
export interface RawResponse {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array>;
}

/** The connection could not be made or broke: the server, not the request, is the problem. */
export class RawConnectionError extends Error {
  override name = "RawConnectionError";
}

/**
 * One request to an `http:` or `https:` URL (TLS with the system's roots) with a body of
 * known length, sent straight from `body` without a copy. Answers are returned whatever their
 * status (redirects are not followed); a HEAD answer's body is empty. With `timeoutMs`, sending
 * and waiting for the answer, and then each wait for more of the body, may take that long at
 * most (a slow download goes on as long as data keeps coming).
 */
export async function rawRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const tls = url.protocol === "https:";
  const port = Number(url.port || (tls ? 443 : 80));
  return await exchange(
    () => tls ? Deno.connectTls({ hostname, port }) : Deno.connect({ hostname, port }),
    `${method} ${url.pathname}${url.search}`,
    body ? { ...headers, "Content-Length": String(body.length) } : headers,
    body,
    {
      host: url.host,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      noBody: method === "HEAD",
    },
  );
}

/** Sends `GET path` over the socket at `socketPath`; resolves once the headers arrived. */
export async function rawGet(
  socketPath: string,
  path: string,
  options: { host?: string; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  return await exchange(unix(socketPath), `GET ${path}`, {}, undefined, options);
}

/**
 * Sends `method path` with `body` in chunked encoding, then reads the answer. An error of
 * `body` itself is thrown as it is, after closing the connection (the engine sees a cut body
 * and applies nothing). When the engine stops reading and answers early (a refusal), that
 * answer is returned rather than the broken pipe.
 */
export async function rawSend(
  socketPath: string,
  method: string,
  path: string,
  body: AsyncIterable<Uint8Array>,
  options: { host?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  return await exchange(
    unix(socketPath),
    `${method} ${path}`,
    { ...options.headers, "Transfer-Encoding": "chunked" },
    body,
    options,
  );
}

/** Closes the connection when one wait on it takes longer than `ms` (none without `ms`). */
class Watchdog {
  fired = false;
  constructor(private readonly ms: number | undefined, private readonly onFire: () => void) {}

  async run<T>(wait: () => Promise<T>): Promise<T> {
    if (!this.ms) return await wait();
    const timer = setTimeout(() => {
      this.fired = true;
      this.onFire();
    }, this.ms);
    try {
      return await wait();
    } finally {
      clearTimeout(timer);
    }
  }

  error(): RawConnectionError {
    return new RawConnectionError(`No answer from the server for ${this.ms! / 1000} s`);
  }
}

/** Marks an error of the request body's own source, which passes through unchanged. */
class BodyFailure {
  constructor(readonly error: unknown) {}
}

function unix(path: string): () => Promise<Deno.Conn> {
  return () => Deno.connect({ transport: "unix", path });
}

async function exchange(
  connect: () => Promise<Deno.Conn>,
  requestLine: string,
  headers: Record<string, string>,
  body: AsyncIterable<Uint8Array> | Uint8Array | undefined,
  options: { host?: string; signal?: AbortSignal; timeoutMs?: number; noBody?: boolean },
): Promise<RawResponse> {
  options.signal?.throwIfAborted();
  let conn: Deno.Conn;
  try {
    conn = await connect();
  } catch (err) {
    throw new RawConnectionError(`Cannot connect: ${err}`, { cause: err });
  }
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    conn.close();
  };
  const onAbort = () => close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const done = () => {
    options.signal?.removeEventListener("abort", onAbort);
    close();
  };
  const watchdog = new Watchdog(options.timeoutMs, close);
  try {
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const head = `${requestLine} HTTP/1.1\r\nHost: ${options.host ?? "docker"}\r\n${lines}` +
      "Connection: close\r\n\r\n";
    let sendError: unknown;
    try {
      await watchdog.run(() => writeAll(conn, encoder.encode(head)));
      if (body instanceof Uint8Array) await watchdog.run(() => writeAll(conn, body));
      else if (body) await sendChunked(conn, body, close);
    } catch (err) {
      if (err instanceof BodyFailure) throw err;
      sendError = err; // the server may have answered (a refusal): read that first
    }
    const reader = new BufferedConn(conn, watchdog);
    let response: { status: number; headers: Headers };
    try {
      response = await readHead(reader);
    } catch (err) {
      throw sendError ?? err;
    }
    const bodyless = options.noBody || response.status === 204 || response.status === 304;
    return {
      ...response,
      body: bodyStream(
        reader,
        bodyless ? new Headers({ "content-length": "0" }) : response.headers,
        done,
        options.signal,
      ),
    };
  } catch (err) {
    done();
    if (options.signal?.aborted) throw options.signal.reason;
    if (watchdog.fired) throw watchdog.error();
    if (err instanceof BodyFailure) throw err.error;
    throw err instanceof RawConnectionError
      ? err
      : new RawConnectionError(`The connection failed: ${err}`, { cause: err });
  }
}

/** Writes `body` in chunked encoding; its source's failure cuts the body (nothing applies). */
async function sendChunked(
  conn: Deno.Conn,
  body: AsyncIterable<Uint8Array>,
  close: () => void,
): Promise<void> {
  const chunks = body[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (err) {
      close();
      throw new BodyFailure(err);
    }
    if (next.done) break;
    const chunk = next.value;
    if (!chunk.length) continue;
    try {
      await writeAll(conn, encoder.encode(`${chunk.length.toString(16)}\r\n`));
      await writeAll(conn, chunk);
      await writeAll(conn, CRLF);
    } catch (err) {
      await chunks.return?.().catch(() => {}); // stop the source: nobody reads it any more
      throw err;
    }
  }
  await writeAll(conn, encoder.encode("0\r\n\r\n"));
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let written = 0;
  while (written < data.length) written += await conn.write(data.subarray(written));
}

/** The socket behind one reused buffer: `pos..end` holds bytes read but not yet taken. */
class BufferedConn {
  readonly buf = new Uint8Array(READ_SIZE);
  pos = 0;
  end = 0;
  constructor(private readonly conn: Deno.Conn, readonly watchdog: Watchdog) {}

  /** Reads more when the buffer is drained; false at the end of the stream. */
  async fill(): Promise<boolean> {
    if (this.pos < this.end) return true;
    const n = await this.watchdog.run(() => this.conn.read(this.buf));
    if (n === null) return false;
    this.pos = 0;
    this.end = n;
    return true;
  }

  /** One CRLF-terminated line (without it), for heads and chunk sizes; `cap` bytes at most. */
  async line(cap: number): Promise<string> {
    let text = "";
    for (;;) {
      if (!await this.fill()) throw new Error("The server closed the connection mid-response");
      const nl = this.buf.subarray(this.pos, this.end).indexOf(10);
      const stop = nl === -1 ? this.end : this.pos + nl;
      text += decoder.decode(this.buf.subarray(this.pos, stop));
      this.pos = nl === -1 ? this.end : stop + 1;
      if (text.length > cap) throw new Error("The server's response line is too long");
      if (nl !== -1) return text.endsWith("\r") ? text.slice(0, -1) : text;
    }
  }
}

async function readHead(reader: BufferedConn): Promise<{ status: number; headers: Headers }> {
  const statusLine = await reader.line(HEAD_CAP);
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) throw new Error(`Not an HTTP response from the server: ${statusLine.slice(0, 80)}`);
  const headers = new Headers();
  let size = statusLine.length;
  for (;;) {
    const line = await reader.line(HEAD_CAP);
    size += line.length;
    if (size > HEAD_CAP) throw new Error("The server's response head is too large");
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { status: Number(match[1]), headers };
}

/** The body, de-chunked, as a pull stream; `done` runs once it ends, fails or is cancelled. */
function bodyStream(
  reader: BufferedConn,
  headers: Headers,
  done: () => void,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  const chunked = /\bchunked\b/i.test(headers.get("transfer-encoding") ?? "");
  const length = headers.get("content-length");
  // Bytes left in the current chunk (or the whole body); Infinity: until the socket closes.
  let remaining = chunked ? 0 : length !== null ? Number(length) : Infinity;
  let finished = !chunked && remaining === 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        while (!finished) {
          if (chunked && remaining === 0) {
            const size = Number.parseInt((await reader.line(1024)).split(";")[0], 16);
            if (!Number.isFinite(size) || size < 0) {
              throw new Error("Bad chunk size from the server");
            }
            if (size === 0) {
              while ((await reader.line(HEAD_CAP)) !== ""); // trailers
              finished = true;
              break;
            }
            remaining = size;
          }
          if (!await reader.fill()) {
            if (remaining === Infinity) {
              finished = true;
              break;
            }
            throw new Error("The server closed the connection mid-stream");
          }
          const take = Math.min(remaining, reader.end - reader.pos);
          controller.enqueue(reader.buf.slice(reader.pos, reader.pos + take));
          reader.pos += take;
          remaining -= take;
          if (chunked && remaining === 0) await reader.line(2); // the CRLF after the data
          else if (remaining === 0) finished = true;
          return;
        }
        done();
        controller.close();
      } catch (err) {
        done();
        controller.error(
          signal?.aborted ? signal.reason : reader.watchdog.fired ? reader.watchdog.error() : err,
        );
      }
    },
    cancel() {
      done();
    },
  }, { highWaterMark: 0 });
}
