/** HTTPS with a generated self-signed certificate, HSTS, Secure cookies and trusted proxies. */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { Client, PASSWORD, setupAndLogin, startBosun } from "../_harness.ts";

Deno.test("--tls self-signed: HTTPS with a verifiable certificate, HSTS and __Host- cookie", async () => {
  await using bosun = await startBosun({ tls: true, args: ["--tls", "self-signed"] });
  const pem = await Deno.readTextFile(`${bosun.dataDir}/config/tls/cert.pem`);
  const keyMode = (await Deno.stat(`${bosun.dataDir}/config/tls/key.pem`)).mode! & 0o777;
  assert.equal(keyMode, 0o600);
  const cert = new X509Certificate(pem);
  assert.match(cert.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
  assert.match(cert.subjectAltName ?? "", /DNS:localhost/);
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
  assert.ok(Math.abs(days - 825) < 1, `valid ${days} days`);

  const httpClient = Deno.createHttpClient({ caCerts: [pem] });
  try {
    const c = new Client(bosun.url, httpClient);
    const setup = await c.req("POST", "/api/auth/setup", { password: PASSWORD });
    await setup.body?.cancel();
    assert.equal(setup.status, 201);
    assert.match(setup.headers.get("Strict-Transport-Security") ?? "", /max-age=\d+/);
    const login = await c.req("POST", "/api/auth/login", { password: PASSWORD });
    const cookie = login.headers.getSetCookie()[0];
    await login.body?.cancel();
    assert.match(cookie, /^__Host-bosun_session=/);
    assert.match(cookie, /; Secure/i);
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    assert.match(cookie, /; Path=\//);
    assert.equal((await c.json("GET", "/api/auth/session")).status, 200);
  } finally {
    httpClient.close();
  }
});

Deno.test("behind a trusted proxy: forwarded proto and IP believed, HTTP redirected", async () => {
  await using bosun = await startBosun({
    args: ["--trusted-proxy", "127.0.0.1", "--force-https"],
  });
  const c = new Client(bosun.url);
  const plain = await c.req("GET", "/containers");
  await plain.body?.cancel();
  assert.equal(plain.status, 308);
  assert.match(plain.headers.get("Location") ?? "", /^https:\/\/127\.0\.0\.1:\d+\/containers$/);
  const proxied = { "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9" };
  const setup = await c.req("POST", "/api/auth/setup", { password: PASSWORD }, {
    ...proxied,
    Origin: `https://127.0.0.1:${bosun.port}`,
  });
  await setup.body?.cancel();
  assert.equal(setup.status, 201);
  const login = await c.json<{ csrfToken: string }>("POST", "/api/auth/login", {
    password: PASSWORD,
  }, { ...proxied, Origin: `https://127.0.0.1:${bosun.port}` });
  assert.equal(login.status, 200);
  assert.ok(c.cookies.has("__Host-bosun_session"));
  assert.match(login.headers.get("Strict-Transport-Security") ?? "", /max-age/);
  const audit = await c.json<{ ip: string; action: string }[]>("GET", "/api/audit", undefined, {
    ...proxied,
  });
  assert.equal(audit.status, 200);
  assert.equal(audit.body.find((a) => a.action === "auth.login")?.ip, "203.0.113.9");
});

Deno.test("X-Forwarded-For from an untrusted peer is ignored", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  await admin.login(PASSWORD);
  const r = await admin.json<{ ip: string; action: string }[]>("GET", "/api/audit", undefined, {
    "X-Forwarded-For": "198.51.100.7",
  });
  assert.ok(r.body.every((a) => a.ip === "127.0.0.1"));
  const spoofed = new Client(bosun.url);
  const login = await spoofed.req("POST", "/api/auth/login", { password: "Wrong-Pass-123!" }, {
    "X-Forwarded-For": "198.51.100.7",
  });
  await login.body?.cancel();
  const after = await admin.json<{ ip: string; result: string }[]>(
    "GET",
    "/api/audit?action=auth.login&result=failure",
  );
  assert.equal(after.body[0].ip, "127.0.0.1");
});
