import assert from "node:assert/strict";
import { RawConnectionError, rawGet, rawRequest, rawSend } from "./raw.ts";

const encoder = new TextEncoder();

/** A Unix-socket server that answers each connection with `parts`, written one by one. */
async function serve(parts: (string | Uint8Array)[], options: { keepOpen?: boolean } = {}) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const requests: string[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      const buf = new Uint8Array(4096);
      const n = await conn.read(buf);
      requests.push(new TextDecoder().decode(buf.subarray(0, n ?? 0)));
      try {
        for (const p of parts) {
          const data = typeof p === "string" ? encoder.encode(p) : p;
          for (let at = 0; at < data.length;) at += await conn.write(data.subarray(at));
          await new Promise((r) => setTimeout(r, 1));
        }
      } catch { /* the client went away */ }
      if (!options.keepOpen) conn.close();
    }
  })();
  return {
    path,
    requests,
    async [Symbol.asyncDispose]() {
      listener.close();
      await served.catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function text(body: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(body).text();
}

Deno.test("rawGet: chunked body with framing split across reads, extensions and trailers", async () => {
  await using server = await serve([
    "HTTP/1.1 200 OK\r\nContent-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n",
    "\r\n5\r",
    "\nhello\r\n",
    "6;ext=1\r\n wor",
    "ld\r\n0\r\nX-Trailer: y\r\n\r\n",
  ]);
  const res = await rawGet(server.path, "/v1.41/containers/x/archive?path=%2Fv%2F");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/x-tar");
  assert.equal(await text(res.body), "hello world");
  assert.match(
    server.requests[0],
    /^GET \/v1\.41\/containers\/x\/archive\?path=%2Fv%2F HTTP\/1\.1\r\n/,
  );
  assert.match(server.requests[0], /\r\nHost: docker\r\n/);
});

Deno.test("rawGet: Content-Length bodies stop at the length; bodies without one at close", async () => {
  {
    await using server = await serve([
      'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n{"m":"x"}',
    ], {
      keepOpen: true,
    });
    const res = await rawGet(server.path, "/x");
    assert.equal(res.status, 404);
    assert.equal(await text(res.body), '{"m":"x"}');
  }
  {
    await using server = await serve(["HTTP/1.0 200 OK\r\n\r\nuntil ", "close"]);
    const res = await rawGet(server.path, "/x");
    assert.equal(await text(res.body), "until close");
  }
});

Deno.test("rawGet: a large body arrives whole, in order, in chunks no larger than the buffer", async () => {
  const data = crypto.getRandomValues(new Uint8Array(60_000));
  const big = new Uint8Array(3_000_000);
  for (let i = 0; i < big.length; i += data.length) big.set(data.subarray(0, big.length - i), i);
  const parts: (string | Uint8Array)[] = ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"];
  for (let i = 0; i < big.length; i += 700_000) {
    const part = big.subarray(i, i + 700_000);
    parts.push(`${part.length.toString(16)}\r\n`, part, "\r\n");
  }
  parts.push("0\r\n\r\n");
  await using server = await serve(parts);
  const res = await rawGet(server.path, "/big");
  const got = new Uint8Array(big.length);
  let at = 0;
  for await (const chunk of res.body) {
    assert.ok(chunk.length <= 256 * 1024);
    got.set(chunk, at);
    at += chunk.length;
  }
  assert.equal(at, big.length);
  assert.deepEqual(got, big);
});

Deno.test("rawGet: truncation, garbage and oversized heads are errors, not short bodies", async () => {
  {
    await using server = await serve(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]);
    const res = await rawGet(server.path, "/x");
    await assert.rejects(text(res.body), /closed the connection mid-stream/);
  }
  {
    await using server = await serve([
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    ]);
    const res = await rawGet(server.path, "/x");
    await assert.rejects(text(res.body), /closed the connection/);
  }
  {
    await using server = await serve([
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ]);
    const res = await rawGet(server.path, "/x");
    await assert.rejects(text(res.body), /Bad chunk size/);
  }
  {
    await using server = await serve(["SSH-2.0-OpenSSH\r\n"]);
    await assert.rejects(rawGet(server.path, "/x"), /Not an HTTP response/);
  }
  {
    await using server = await serve([
      "HTTP/1.1 200 OK\r\n",
      `X-Big: ${"a".repeat(70_000)}\r\n\r\n`,
    ]);
    await assert.rejects(rawGet(server.path, "/x"), /too (long|large)/);
  }
});

Deno.test("rawGet: cancelling the body or aborting the signal closes the connection", async () => {
  await using server = await serve([
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
  ], { keepOpen: true });
  const res = await rawGet(server.path, "/x");
  const reader = res.body.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "abc");
  await reader.cancel();

  const abort = new AbortController();
  const second = await rawGet(server.path, "/x", { signal: abort.signal });
  const r2 = second.body.getReader();
  await r2.read();
  const pending = r2.read();
  abort.abort(new Error("stopped by the test"));
  await assert.rejects(pending, /stopped by the test/);

  const aborted = new AbortController();
  aborted.abort(new Error("before"));
  await assert.rejects(rawGet(server.path, "/x", { signal: aborted.signal }), /before/);
});

/** A Unix-socket server whose `handle` gets each connection. */
async function serveWith(handle: (conn: Deno.Conn) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/s.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const served = (async () => {
    for await (const conn of listener) {
      await handle(conn).catch(() => {}).finally(() => conn.close());
    }
  })();
  return {
    path,
    async [Symbol.asyncDispose]() {
      listener.close();
      await served.catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Reads a connection until `marker` has arrived (or it closes); returns what came. */
async function readUntil(conn: Deno.Conn, marker: string): Promise<string> {
  let text = "";
  const buf = new Uint8Array(65536);
  while (!text.includes(marker)) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}

async function* pieces(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield encoder.encode(p);
}

Deno.test("rawSend: the body goes out chunked with the given headers; the answer is read", async () => {
  let received = "";
  await using server = await serveWith(async (conn) => {
    received = await readUntil(conn, "0\r\n\r\n");
    await conn.write(encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  });
  const res = await rawSend(
    server.path,
    "PUT",
    "/v1.41/containers/h/archive?path=%2Fv",
    pieces("ab", "", "cde"),
    {
      headers: { "Content-Type": "application/x-tar" },
    },
  );
  assert.equal(res.status, 200);
  assert.equal(await text(res.body), "");
  assert.match(received, /^PUT \/v1\.41\/containers\/h\/archive\?path=%2Fv HTTP\/1\.1\r\n/);
  assert.match(received, /\r\nContent-Type: application\/x-tar\r\n/);
  assert.match(received, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.ok(
    received.endsWith("\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"),
    JSON.stringify(received),
  );
});

Deno.test("rawSend: an engine that refuses early is answered with its refusal, not a broken pipe", async () => {
  await using server = await serveWith(async (conn) => {
    await readUntil(conn, "\r\n\r\n");
    await conn.write(encoder.encode(
      'HTTP/1.1 404 Not Found\r\nContent-Length: 27\r\n\r\n{"message":"no such thing"}',
    ));
  });
  const big = new Uint8Array(1024 * 1024);
  async function* endless() {
    for (let i = 0; i < 64; i++) yield big;
  }
  const res = await rawSend(server.path, "PUT", "/x", endless());
  assert.equal(res.status, 404);
  assert.equal(await text(res.body), '{"message":"no such thing"}');
});

Deno.test("rawSend: a failing body source throws its own error and the engine sees a cut body", async () => {
  let received = "";
  await using server = await serveWith(async (conn) => {
    received = await readUntil(conn, "0\r\n\r\n");
  });
  async function* failing() {
    yield encoder.encode("partial");
    throw new Error("the archive is corrupt");
  }
  await assert.rejects(rawSend(server.path, "PUT", "/x", failing()), /the archive is corrupt/);
  // Give the server the close.
  await new Promise((r) => setTimeout(r, 50));
  assert.match(received, /7\r\npartial\r\n$/);
  assert.ok(!received.includes("0\r\n\r\n"), "never terminated");
});

Deno.test("rawGet/rawSend: a socket nobody listens on is a connection error", async () => {
  await assert.rejects(rawGet("/nonexistent/bosun.sock", "/x"), RawConnectionError);
  await assert.rejects(
    rawSend("/nonexistent/bosun.sock", "PUT", "/x", pieces("a")),
    RawConnectionError,
  );
});

Deno.test("rawRequest: a fixed-length body over TCP; a HEAD answer's length is not waited for", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: string[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      const request = await readUntil(conn, "\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(request)?.[1] ?? 0);
      let text = request;
      const buf = new Uint8Array(65536);
      while (text.length - text.indexOf("\r\n\r\n") - 4 < length) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
      }
      received.push(text);
      await conn.write(encoder.encode(
        request.startsWith("HEAD")
          ? 'HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nETag: "abc"\r\n\r\n'
          : 'HTTP/1.1 200 OK\r\nETag: "def"\r\nContent-Length: 2\r\n\r\nok',
      ));
      conn.close();
    }
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const url = new URL(`http://127.0.0.1:${port}/bucket/key?partNumber=1&uploadId=u`);
    const put = await rawRequest("PUT", url, { "x-amz-date": "d" }, encoder.encode("part-data"));
    assert.equal(put.status, 200);
    assert.equal(put.headers.get("etag"), '"def"');
    assert.equal(await text(put.body), "ok");
    assert.match(received[0], /^PUT \/bucket\/key\?partNumber=1&uploadId=u HTTP\/1\.1\r\n/);
    assert.match(received[0], new RegExp(`\r\nHost: 127\\.0\\.0\\.1:${port}\r\n`));
    assert.match(received[0], /\r\nContent-Length: 9\r\n/);
    assert.ok(received[0].endsWith("\r\n\r\npart-data"));
    const head = await rawRequest("HEAD", url, {}, undefined);
    assert.equal(head.headers.get("content-length"), "1048576");
    assert.equal(await text(head.body), "");
  } finally {
    listener.close();
    await served.catch(() => {});
  }
});

Deno.test("rawRequest: a server that never answers, or stalls mid-body, times out; slow data does not", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      const request = await readUntil(conn, "\r\n\r\n");
      if (request.startsWith("GET /silent")) continue; // never answers
      await conn.write(encoder.encode("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\nabc"));
      if (request.startsWith("GET /slow")) {
        for (const c of "defghijklmno") { // each byte well within the timeout, all beyond it
          await new Promise((r) => setTimeout(r, 100));
          await conn.write(encoder.encode(c));
        }
      } // "/stall" sends a part and waits
    }
  })();
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const at = (p: string) => new URL(`http://127.0.0.1:${port}${p}`);
    await assert.rejects(
      rawRequest("GET", at("/silent"), {}, undefined, { timeoutMs: 200 }),
      (err: Error) => err instanceof RawConnectionError && /No answer .* 0\.2 s/.test(err.message),
    );
    const stalled = await rawRequest("GET", at("/stall"), {}, undefined, { timeoutMs: 200 });
    await assert.rejects(text(stalled.body), /No answer from the server for 0\.2 s/);
    const slow = await rawRequest("GET", at("/slow"), {}, undefined, { timeoutMs: 1000 });
    assert.equal(await text(slow.body), "abcdefghijklmno");
  } finally {
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await served.catch(() => {});
  }
});
