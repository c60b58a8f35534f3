/** DockerClient against a fake engine on a unix socket (the real engine is in tests/integration). */
import assert from "node:assert/strict";
import { z } from "zod";
import { compareApiVersions, DockerClient, MAX_API_VERSION } from "./client.ts";
import {
  DockerConflictError,
  DockerNotFoundError,
  DockerTimeoutError,
  DockerUnavailableError,
} from "./errors.ts";

async function fakeEngine(
  apiVersion: string,
  handler: (req: Request) => Response | Promise<Response>,
) {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/docker.sock`;
  const seen: string[] = [];
  const server = Deno.serve({ path, transport: "unix", onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === "/version") return Response.json({ ApiVersion: apiVersion, Version: "x" });
    return handler(req);
  });
  return {
    host: `unix://${path}`,
    seen,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("compareApiVersions() compares numerically", () => {
  assert.ok(compareApiVersions("1.9", "1.41") < 0);
  assert.ok(compareApiVersions("1.44", "1.41") > 0);
  assert.equal(compareApiVersions("1.41", "1.41"), 0);
});

Deno.test("DockerClient uses the engine's own API version, capped at the newest it knows", async (t) => {
  for (
    const [engine, expected] of [["1.41", "1.41"], ["1.47", "1.47"], ["1.99", MAX_API_VERSION]]
  ) {
    await t.step(`engine ${engine} → /v${expected}`, async () => {
      await using fake = await fakeEngine(engine, () => Response.json([]));
      const docker = new DockerClient({ host: fake.host, timeoutMs: 2000 });
      try {
        await docker.request("GET", "/containers/json", z.array(z.unknown()));
        assert.equal(await docker.apiVersion(), expected);
        assert.ok(fake.seen.includes(`GET /v${expected}/containers/json`), fake.seen.join());
      } finally {
        docker.close();
      }
    });
  }
});

Deno.test("DockerClient maps status codes to typed errors with the daemon's message", async () => {
  await using fake = await fakeEngine("1.41", (req) => {
    const path = new URL(req.url).pathname;
    if (path.endsWith("/missing/json")) {
      return Response.json({ message: "No such container: missing" }, { status: 404 });
    }
    if (path.endsWith("/start")) return Response.json({ message: "name in use" }, { status: 409 });
    return new Response(null, { status: 204 });
  });
  const docker = new DockerClient({ host: fake.host, timeoutMs: 2000 });
  try {
    await assert.rejects(
      docker.request("GET", "/containers/missing/json", z.unknown()),
      (err) =>
        err instanceof DockerNotFoundError && err.message === "No such container: missing" &&
        err.status === 404,
    );
    await assert.rejects(docker.requestEmpty("POST", "/containers/x/start"), DockerConflictError);
    assert.equal(await docker.requestEmpty("POST", "/containers/x/stop"), 204);
  } finally {
    docker.close();
  }
});

Deno.test("DockerClient reports an unreachable engine and timeouts", async () => {
  const gone = new DockerClient({ host: "unix:///tmp/bosun-nothing-here.sock", timeoutMs: 1000 });
  try {
    await assert.rejects(
      gone.request("GET", "/info", z.unknown()),
      (err) =>
        err instanceof DockerUnavailableError &&
        /Cannot connect to the Docker engine at unix:\/\/\/tmp\/bosun-nothing-here\.sock/.test(
          err.message,
        ),
    );
  } finally {
    gone.close();
  }
  await using slow = await fakeEngine("1.41", async () => {
    await new Promise((r) => setTimeout(r, 800));
    return Response.json({});
  });
  const docker = new DockerClient({ host: slow.host, timeoutMs: 200 });
  try {
    await docker.apiVersion();
    await assert.rejects(docker.request("GET", "/info", z.unknown()), DockerTimeoutError);
  } finally {
    docker.close();
  }
  await new Promise((r) => setTimeout(r, 700)); // let the slow handler finish
});

Deno.test("DockerClient.stream() delivers bulk bodies over node:http and types errors", async () => {
  const big = new Uint8Array(3 * 1024 * 1024).fill(7);
  await using fake = await fakeEngine("1.41", (req) => {
    const path = new URL(req.url).pathname;
    if (path.endsWith("/nope/archive")) {
      return Response.json({ message: "No such container: nope" }, { status: 404 });
    }
    return new Response(big);
  });
  const docker = new DockerClient({ host: fake.host, timeoutMs: 2000 });
  try {
    const res = await docker.stream("GET", "/containers/x/archive", { query: { path: "/data" } });
    let total = 0;
    for await (const chunk of res) total += (chunk as Uint8Array).length;
    assert.equal(total, big.length);
    assert.ok(fake.seen.includes("GET /v1.41/containers/x/archive?path=%2Fdata"));
    await assert.rejects(docker.stream("GET", "/containers/nope/archive"), DockerNotFoundError);
  } finally {
    docker.close();
  }
});

Deno.test("DockerClient speaks tcp+TLS with client certificates (fetch and node:https)", async () => {
  const { generateSelfSigned } = await import("../tls/self_signed.ts");
  const server = await generateSelfSigned({ dns: ["localhost"], ips: ["127.0.0.1"] });
  const clientPair = await generateSelfSigned({ dns: ["client"], ips: [] });
  const seen: string[] = [];
  const httpd = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: server.cert, key: server.key, onListen: () => {} },
    (req) => {
      const url = new URL(req.url);
      seen.push(url.pathname);
      if (url.pathname === "/version") return Response.json({ ApiVersion: "1.45" });
      return Response.json([{ Id: "abc" }]);
    },
  );
  const docker = new DockerClient({
    host: `tcp://127.0.0.1:${httpd.addr.port}`,
    timeoutMs: 5000,
    tls: { ca: server.cert, cert: clientPair.cert, key: clientPair.key },
  });
  try {
    const rows = await docker.request(
      "GET",
      "/containers/json",
      z.array(z.object({ Id: z.string() })),
    );
    assert.deepEqual(rows, [{ Id: "abc" }]);
    const res = await docker.stream("GET", "/images/get");
    let text = "";
    for await (const chunk of res) text += new TextDecoder().decode(chunk as Uint8Array);
    assert.equal(text, '[{"Id":"abc"}]');
    assert.deepEqual(seen, ["/version", "/v1.45/containers/json", "/v1.45/images/get"]);
  } finally {
    docker.close();
    await httpd.shutdown();
  }
});

Deno.test("DockerClient refuses a tcp+TLS engine whose certificate the CA did not sign", async () => {
  const { generateSelfSigned } = await import("../tls/self_signed.ts");
  const server = await generateSelfSigned({ dns: ["localhost"], ips: ["127.0.0.1"] });
  const other = await generateSelfSigned({ dns: ["other"], ips: [] });
  const httpd = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: server.cert, key: server.key, onListen: () => {} },
    () => Response.json({ ApiVersion: "1.45" }),
  );
  const docker = new DockerClient({
    host: `tcp://127.0.0.1:${httpd.addr.port}`,
    timeoutMs: 5000,
    tls: { ca: other.cert, cert: other.cert, key: other.key },
  });
  try {
    await assert.rejects(docker.apiVersion(), DockerUnavailableError);
  } finally {
    docker.close();
    await httpd.shutdown();
  }
});

Deno.test("DockerClient times out an answer whose body stalls after the headers", async () => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await using stall = await fakeEngine("1.41", () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"partial": '));
          timer = setTimeout(() => controller.close(), 600);
        },
        cancel() {
          clearTimeout(timer); // the client gave up, as it should
        },
      }),
      { headers: { "Content-Type": "application/json" } },
    ));
  const docker = new DockerClient({ host: stall.host, timeoutMs: 200 });
  try {
    await docker.apiVersion();
    await assert.rejects(docker.request("GET", "/info", z.unknown()), DockerTimeoutError);
  } finally {
    docker.close();
    clearTimeout(timer);
  }
});
