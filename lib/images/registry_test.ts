/** The bearer-token challenge flow against recorded registry exchanges (fake fetch). */
import assert from "node:assert/strict";
import { parseReference } from "./reference.ts";
import { parseChallenge, RegistryAuthError, RegistryError, remoteDigest } from "./registry.ts";

const DIGEST = `sha256:${"c".repeat(64)}`;

/** Replays recorded answers keyed by "METHOD url"; records the requests it saw. */
function replay(answers: Record<string, (req: Request) => Response>) {
  const seen: Request[] = [];
  const fake = (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    seen.push(req);
    const answer = answers[`${req.method} ${req.url}`];
    if (!answer) return Promise.resolve(new Response("unexpected", { status: 500 }));
    return Promise.resolve(answer(req));
  };
  return { fetch: fake as typeof fetch, seen };
}

Deno.test("challenges are parsed with quoted, escaped and bare values", () => {
  assert.deepEqual(
    parseChallenge(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
    ),
    {
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/nginx:pull",
      },
    },
  );
  assert.deepEqual(parseChallenge('Basic realm="Registry \\"x\\"", charset=UTF-8'), {
    scheme: "basic",
    params: { realm: 'Registry "x"', charset: "UTF-8" },
  });
});

Deno.test("Docker Hub: anonymous token flow (recorded exchange)", async () => {
  const manifest = "https://registry-1.docker.io/v2/library/nginx/manifests/latest";
  const token =
    "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fnginx%3Apull";
  const { fetch, seen } = replay({
    [`HEAD ${manifest}`]: (req) =>
      req.headers.get("Authorization") === "Bearer hub-token"
        ? new Response(null, {
          status: 200,
          headers: {
            "Docker-Content-Digest": DIGEST,
            "Content-Type": "application/vnd.oci.image.index.v1+json",
          },
        })
        : new Response(null, {
          status: 401,
          headers: {
            "WWW-Authenticate":
              'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
          },
        }),
    [`GET ${token}`]: (req) => {
      assert.equal(req.headers.get("Authorization"), null, "anonymous: no credentials sent");
      return Response.json({ token: "hub-token", access_token: "hub-token", expires_in: 300 });
    },
  });
  assert.equal(await remoteDigest(parseReference("nginx"), { fetch }), DIGEST);
  assert.equal(seen.length, 3);
  assert.match(seen[0].headers.get("Accept") ?? "", /manifest\.list\.v2\+json/);
  assert.match(seen[0].headers.get("Accept") ?? "", /oci\.image\.index\.v1\+json/);
});

Deno.test("GHCR: token flow with stored credentials sends them to the realm only", async () => {
  const manifest = "https://ghcr.io/v2/owner/app/manifests/stable";
  const { fetch, seen } = replay({
    [`HEAD ${manifest}`]: (req) =>
      req.headers.get("Authorization") === "Bearer ghcr-token"
        ? new Response(null, { status: 200, headers: { "Docker-Content-Digest": DIGEST } })
        : new Response(null, {
          status: 401,
          headers: {
            "WWW-Authenticate":
              'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:owner/app:pull"',
          },
        }),
    ["GET https://ghcr.io/token?service=ghcr.io&scope=repository%3Aowner%2Fapp%3Apull"]: (req) => {
      assert.equal(req.headers.get("Authorization"), `Basic ${btoa("me:secret")}`);
      return Response.json({ token: "ghcr-token" });
    },
  });
  const digest = await remoteDigest(parseReference("ghcr.io/owner/app:stable"), {
    fetch,
    credentials: { username: "me", password: "secret" },
  });
  assert.equal(digest, DIGEST);
  assert.equal(seen[0].headers.get("Authorization"), null, "nothing sent before the challenge");
});

Deno.test("a refused token, a non-HTTPS realm and a missing header are reported", async () => {
  const ref = parseReference("ghcr.io/owner/private:1");
  const manifest = "https://ghcr.io/v2/owner/private/manifests/1";
  const challenge = (realm: string) => () =>
    new Response(null, {
      status: 401,
      headers: { "WWW-Authenticate": `Bearer realm="${realm}",service="ghcr.io"` },
    });
  const refused = replay({
    [`HEAD ${manifest}`]: challenge("https://ghcr.io/token"),
    ["GET https://ghcr.io/token?service=ghcr.io&scope=repository%3Aowner%2Fprivate%3Apull"]: () =>
      new Response('{"errors":[{"code":"DENIED"}]}', { status: 403 }),
  });
  await assert.rejects(remoteDigest(ref, { fetch: refused.fetch }), RegistryAuthError);
  const plain = replay({ [`HEAD ${manifest}`]: challenge("http://evil.example/token") });
  await assert.rejects(remoteDigest(ref, { fetch: plain.fetch }), /not HTTPS/);
  // HEAD without Docker-Content-Digest: the manifest is fetched and hashed.
  const body = '{"schemaVersion":2}';
  const expected = `sha256:${
    Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body))),
    )
      .map((b) => b.toString(16).padStart(2, "0")).join("")
  }`;
  const headless = replay({
    [`HEAD ${manifest}`]: () => new Response(null, { status: 200 }),
    [`GET ${manifest}`]: () => new Response(body, { status: 200 }),
  });
  assert.equal(await remoteDigest(ref, { fetch: headless.fetch }), expected);
  const missing = replay({ [`HEAD ${manifest}`]: () => new Response(null, { status: 404 }) });
  await assert.rejects(remoteDigest(ref, { fetch: missing.fetch }), RegistryError);
});
