/** Authentication, sessions, tokens, CSRF and headers against a real Bosun and engine. */
import assert from "node:assert/strict";
import {
  Client,
  docker,
  PASSWORD,
  rawRequest,
  ROOT,
  setupAndLogin,
  sleep,
  startBosun,
  TEST_ENV,
  TestContainers,
} from "../_harness.ts";

Deno.test("auth journey: setup, login, containers, CSRF, tokens, password change", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const anon = new Client(bosun.url);

  await t.step("setup is offered first and refuses weak passwords with the rules", async () => {
    const page = await anon.req("GET", "/login");
    await page.body?.cancel();
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("Location"), "/setup");
    for (
      const [pw, rule] of [
        ["Short-1a!", "at least 12 characters"],
        ["alllowercase-123!", "an upper-case letter"],
        ["ALLUPPERCASE-123!", "a lower-case letter"],
        ["No-Digits-Here!!", "a digit"],
        ["NoSpecial12345abc", "a special character"],
      ]
    ) {
      const r = await anon.json<{ detail: string; errors: { path: string }[] }>(
        "POST",
        "/api/auth/setup",
        { password: pw },
      );
      assert.equal(r.status, 400, pw);
      assert.match(r.body.detail, new RegExp(rule), pw);
      assert.equal(r.body.errors[0].path, "password");
    }
  });

  await t.step("setup succeeds once, then answers 409", async () => {
    const first = await anon.req("POST", "/api/auth/setup", { password: PASSWORD });
    await first.body?.cancel();
    assert.equal(first.status, 201);
    const again = await anon.json<{ type: string }>("POST", "/api/auth/setup", {
      password: PASSWORD + "x",
    });
    assert.equal(again.status, 409);
    assert.match(again.body.type, /conflict/);
  });

  await t.step("wrong password is 401 and audited with IP and user agent", async () => {
    const r = await anon.json<{ status: number }>("POST", "/api/auth/login", {
      password: "Wrong-Password-1!",
    }, { "User-Agent": "auth-test-agent" });
    assert.equal(r.status, 401);
  });

  const admin = new Client(bosun.url);
  await admin.login();

  await t.step("the containers list equals `docker ps -a`", async () => {
    await containers.create("running");
    await containers.create("stopped", { start: false });
    // Other test files create and remove containers meanwhile: what `docker ps -a` shows both
    // before and after the call must be in the API's list, and the list holds nothing else.
    const ps = async () =>
      (await docker("ps", "-a", "--no-trunc", "--format", "{{json .}}")).trim().split("\n")
        .filter(Boolean).map((l) => JSON.parse(l) as { ID: string; Names: string; State: string })
        .map((c) => `${c.ID} ${c.Names} ${c.State}`);
    const before = await ps();
    const api = await admin.json<{ id: string; name: string; state: string; image: string }[]>(
      "GET",
      "/api/containers",
    );
    const after = await ps();
    assert.equal(api.status, 200);
    const listed = new Set(api.body.map((r) => `${r.id} ${r.name} ${r.state}`));
    const stable = before.filter((row) => after.includes(row));
    assert.deepEqual(stable.filter((row) => !listed.has(row)), [], "stable containers listed");
    assert.deepEqual(
      [...listed].filter((row) => !before.includes(row) && !after.includes(row)),
      [],
      "nothing the engine does not have",
    );
    assert.ok(stable.length >= 2, "the test's own containers are stable");
    assert.ok(
      api.body.some((c) => c.name === `bt-${containers.runId}-stopped` && c.state === "created"),
    );
  });

  await t.step("logins are in the audit log", async () => {
    const r = await admin.json<{ action: string; result: string; ip: string; userAgent: string }[]>(
      "GET",
      "/api/audit?action=auth.login",
    );
    assert.equal(r.status, 200);
    const failed = r.body.find((a) => a.result === "failure");
    assert.ok(failed, "failed login audited");
    assert.equal(failed.ip, "127.0.0.1");
    assert.equal(failed.userAgent, "auth-test-agent");
    assert.ok(r.body.some((a) => a.result === "success"));
  });

  await t.step("a write without the CSRF header is 403", async () => {
    const r = await admin.json<{ type: string }>("POST", "/api/auth/tokens", { name: "x" }, {
      "X-CSRF-Token": "",
    });
    assert.equal(r.status, 403);
    assert.match(r.body.type, /csrf/);
  });

  await t.step("a write from a foreign Origin is 403, even with the token", async () => {
    const r = await admin.json<{ type: string }>("POST", "/api/auth/tokens", { name: "x" }, {
      Origin: "https://evil.example",
    });
    assert.equal(r.status, 403);
    assert.match(r.body.type, /origin/);
    const login = await anon.json("POST", "/api/auth/login", { password: PASSWORD }, {
      Origin: "https://evil.example",
    });
    assert.equal(login.status, 403, "login CSRF refused");
  });

  await t.step("bad query and body give 400 problems naming the fields", async () => {
    const q = await admin.json<{ errors: { path: string }[] }>("GET", "/api/containers?state=nope");
    assert.equal(q.status, 400);
    assert.equal(q.headers.get("Content-Type"), "application/problem+json");
    assert.equal(q.body.errors[0].path, "query.state");
    const b = await admin.json<{ errors: { path: string }[] }>("POST", "/api/auth/tokens", {
      name: 42,
    });
    assert.equal(b.status, 400);
    assert.equal(b.body.errors[0].path, "body.name");
    const broken = await admin.json<{ status: number }>("POST", "/api/auth/tokens", "{not json");
    assert.equal(broken.status, 400);
    const extra = await admin.json("PATCH", "/api/settings", { serverName: "ok", evil: true });
    assert.equal(extra.status, 400);
  });

  let tokenId = "";
  let token = "";
  await t.step("API tokens: shown once, work as bearer, refused in a query string", async () => {
    const created = await admin.json<{ id: string; token: string; name: string }>(
      "POST",
      "/api/auth/tokens",
      { name: "script" },
    );
    assert.equal(created.status, 201);
    ({ id: tokenId, token } = created.body);
    const list = await admin.json<Record<string, unknown>[]>("GET", "/api/auth/tokens");
    assert.ok(!JSON.stringify(list.body).includes(token), "token value never listed");
    const bearer = new Client(bosun.url);
    const ok = await bearer.json("GET", "/api/containers", undefined, {
      Authorization: `Bearer ${token}`,
    });
    assert.equal(ok.status, 200);
    const write = await bearer.json("PATCH", "/api/settings", { serverName: "lab-1" }, {
      Authorization: `Bearer ${token}`,
      Origin: "",
    });
    assert.equal(write.status, 200, "bearer writes need no CSRF token");
    const query = await bearer.json("GET", `/api/containers?access_token=${token}`);
    assert.equal(query.status, 401);
  });

  await t.step("sessions are listed and a revoked one stops working", async () => {
    const second = new Client(bosun.url);
    await second.login();
    const list = await admin.json<{ id: string; current: boolean }[]>("GET", "/api/auth/sessions");
    const other = list.body.filter((s) => !s.current);
    assert.ok(other.length >= 1);
    for (const s of other) {
      const r = await admin.req("DELETE", `/api/auth/sessions/${s.id}`);
      await r.body?.cancel();
      assert.equal(r.status, 204);
    }
    const after = await second.json("GET", "/api/containers");
    assert.equal(after.status, 401);
  });

  await t.step("password change revokes other sessions and all tokens", async () => {
    const other = new Client(bosun.url);
    await other.login();
    const newPassword = "Another-Secret-77#";
    const wrong = await admin.json<{ errors: { path: string }[] }>("POST", "/api/auth/password", {
      current: "nope-Nope-1!",
      new: newPassword,
    });
    assert.equal(wrong.status, 400);
    const weak = await admin.json("POST", "/api/auth/password", { current: PASSWORD, new: "weak" });
    assert.equal(weak.status, 400);
    const ok = await admin.req("POST", "/api/auth/password", {
      current: PASSWORD,
      new: newPassword,
    });
    await ok.body?.cancel();
    assert.equal(ok.status, 204);
    assert.equal((await admin.json("GET", "/api/containers")).status, 200, "own session kept");
    assert.equal((await other.json("GET", "/api/containers")).status, 401, "other session revoked");
    const bearer = await new Client(bosun.url).json("GET", "/api/containers", undefined, {
      Authorization: `Bearer ${token}`,
    });
    assert.equal(bearer.status, 401, "token revoked");
    const gone = await admin.json("DELETE", `/api/auth/tokens/${tokenId}`);
    assert.equal(gone.status, 404);
    await new Client(bosun.url).login(newPassword);
  });

  await t.step("logout revokes the session", async () => {
    const r = await admin.req("POST", "/api/auth/logout");
    await r.body?.cancel();
    assert.equal(r.status, 204);
    assert.equal((await admin.json("GET", "/api/auth/session")).status, 401);
  });

  await t.step("a Host that is not allowed is refused", async () => {
    const r = await rawRequest(
      bosun.port,
      "GET /api/containers HTTP/1.1\nHost: rebind.attacker.example\nConnection: close",
    );
    assert.equal(r.status, 421);
    assert.match(r.text, /not one Bosun answers to/);
    const ok = await rawRequest(
      bosun.port,
      "GET /healthz HTTP/1.1\nHost: localhost:1234\nConnection: close",
    );
    assert.equal(ok.status, 200);
  });

  await t.step("security headers are on every response", async () => {
    for (const path of ["/healthz", "/login", "/api/containers", "/static/style.css"]) {
      const r = await anon.req("GET", path);
      await r.body?.cancel();
      const csp = r.headers.get("Content-Security-Policy") ?? "";
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline/, path);
      assert.equal(r.headers.get("X-Content-Type-Options"), "nosniff", path);
      assert.equal(r.headers.get("Referrer-Policy"), "no-referrer", path);
      assert.equal(r.headers.get("Strict-Transport-Security"), null, "no HSTS over plain HTTP");
    }
  });

  await t.step("logs carry request ids and never the password or tokens", () => {
    const logs = bosun.logs();
    assert.ok(!logs.includes(PASSWORD));
    assert.ok(!logs.includes(token));
  });
});

Deno.test("login rate limit: the sixth attempt in a minute is 429 with Retry-After", async () => {
  await using bosun = await startBosun({ env: { BOSUN_LOGIN_LIMIT_MINUTE: "5" } });
  await setupAndLogin(bosun); // one attempt used
  const c = new Client(bosun.url);
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 6; i++) {
    const r = await c.json("POST", "/api/auth/login", { password: "Wrong-Password-1!" });
    statuses.push(r.status);
    retryAfter ??= r.headers.get("Retry-After");
  }
  assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
  assert.ok(Number(retryAfter) > 0 && Number(retryAfter) <= 60);
  const correct = await c.json("POST", "/api/auth/login", { password: PASSWORD });
  assert.equal(correct.status, 429, "even the right password waits");
});

Deno.test("session idle expiry: an unused session ends after the configured interval", async () => {
  await using bosun = await startBosun({ env: { BOSUN_SESSION_IDLE: "1500ms" } });
  const admin = await setupAndLogin(bosun);
  assert.equal((await admin.json("GET", "/api/auth/session")).status, 200);
  await sleep(700);
  assert.equal((await admin.json("GET", "/api/auth/session")).status, 200, "use keeps it alive");
  await sleep(700);
  assert.equal((await admin.json("GET", "/api/auth/session")).status, 200, "still alive");
  await sleep(1800);
  assert.equal((await admin.json("GET", "/api/auth/session")).status, 401, "expired when idle");
  const remembered = new Client(bosun.url);
  await remembered.login(PASSWORD, true);
  await sleep(1800);
  assert.equal(
    (await remembered.json("GET", "/api/auth/session")).status,
    200,
    "remember me outlives the idle interval",
  );
});

Deno.test("reset-password prints a one-time password that must be changed", async () => {
  await using bosun = await startBosun();
  const admin = await setupAndLogin(bosun);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "reset-password", "--data-dir", bosun.dataDir],
    env: TEST_ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const temporary = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
  assert.equal((await admin.json("GET", "/api/containers")).status, 401, "sessions revoked");
  const c = new Client(bosun.url);
  assert.equal((await c.json("POST", "/api/auth/login", { password: PASSWORD })).status, 401);
  const login = await c.json<{ mustChangePassword: boolean; csrfToken: string }>(
    "POST",
    "/api/auth/login",
    { password: temporary },
  );
  assert.equal(login.status, 200);
  assert.equal(login.body.mustChangePassword, true);
  c.csrfToken = login.body.csrfToken;
  const blocked = await c.json<{ type: string }>("GET", "/api/containers");
  assert.equal(blocked.status, 403);
  assert.match(blocked.body.type, /password-change/);
  const page = await c.req("GET", "/containers");
  await page.body?.cancel();
  assert.equal(page.headers.get("Location"), "/change-password");
  const changed = await c.req("POST", "/api/auth/password", {
    current: temporary,
    new: "Brand-New-Secret-9$",
  });
  await changed.body?.cancel();
  assert.equal(changed.status, 204);
  assert.equal((await c.json("GET", "/api/containers")).status, 200);
  const again = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}main.ts`, "reset-password", "--data-dir", bosun.dataDir],
    env: TEST_ENV,
    stdout: "piped",
  }).output();
  const second = new TextDecoder().decode(again.stdout).trim().split("\n").at(-1)!;
  assert.notEqual(second, temporary, "each reset makes a new password");
});

Deno.test("BOSUN_ADMIN_PASSWORD: policy enforced at start, setup skipped, change revokes sessions", async () => {
  const weak = await startBosun({ env: { BOSUN_ADMIN_PASSWORD: "weak" }, expectExit: true });
  const weakDir = weak.dataDir;
  assert.equal((await weak.exited).code, 1);
  assert.match(weak.logs(), /BOSUN_ADMIN_PASSWORD is refused: The password needs at least 12/);
  await Deno.remove(weakDir, { recursive: true });

  const dataDir = await Deno.makeTempDir({ prefix: "bosun-test-" });
  try {
    {
      await using bosun = await startBosun({ dataDir, env: { BOSUN_ADMIN_PASSWORD: PASSWORD } });
      const c = new Client(bosun.url);
      assert.equal((await c.json("POST", "/api/auth/setup", { password: PASSWORD })).status, 409);
      await c.login();
      const change = await c.json("POST", "/api/auth/password", {
        current: PASSWORD,
        new: "Other-Secret-Value-1!",
      });
      assert.equal(change.status, 409, "the environment owns the password");
      await c.json("GET", "/api/auth/session");
      await bosun.stop();
      await using again = await startBosun({
        dataDir,
        env: { BOSUN_ADMIN_PASSWORD: "Rotated-Secret-Value-2!" },
      });
      const stale = new Client(again.url);
      stale.cookies = c.cookies;
      assert.equal((await stale.json("GET", "/api/auth/session")).status, 401, "sessions revoked");
      await new Client(again.url).login("Rotated-Secret-Value-2!");
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("general API rate limit: 429 with Retry-After past the per-minute budget", async () => {
  await using bosun = await startBosun({ env: { BOSUN_RATE_LIMIT_MINUTE: "8" } });
  const admin = await setupAndLogin(bosun); // setup and login count as two
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 8; i++) {
    const r = await admin.json("GET", "/api/auth/session");
    statuses.push(r.status);
    retryAfter ??= r.headers.get("Retry-After");
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 429, 429]);
  assert.ok(Number(retryAfter) > 0);
  const page = await admin.req("GET", "/containers");
  await page.body?.cancel();
  assert.equal(page.status, 200, "pages and health are outside the API budget");
});

Deno.test("without JavaScript: setup and sign-in work as plain form posts", async () => {
  await using bosun = await startBosun();
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const c = new Client(bosun.url);
  const post = (path: string, fields: Record<string, string>, headers = {}) =>
    c.req("POST", path, form(fields), {
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "text/html",
      ...headers,
    });

  const mismatch = await post("/setup", { password: PASSWORD, confirm: PASSWORD + "x" });
  assert.equal(mismatch.status, 400);
  assert.match(await mismatch.text(), /The passwords do not match/);
  const weak = await post("/setup", { password: "weak", confirm: "weak" });
  assert.equal(weak.status, 400);
  assert.match(await weak.text(), /at least 12 characters/);
  const setup = await post("/setup", { password: PASSWORD, confirm: PASSWORD });
  await setup.body?.cancel();
  assert.equal(setup.status, 303);
  assert.equal(setup.headers.get("Location"), "/");
  assert.ok(c.cookies.has("bosun_session"), "signed in after setup");
  const page = await c.req("GET", "/containers", undefined, { Accept: "text/html" });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /data-island="ContainerTable"/);

  const other = new Client(bosun.url);
  const wrong = await other.req("POST", "/login", form({ password: "Wrong-Password-1!" }), {
    "Content-Type": "application/x-www-form-urlencoded",
  });
  assert.equal(wrong.status, 401);
  const html = await wrong.text();
  assert.match(html, /Wrong password/);
  assert.ok(!html.includes("Wrong-Password-1!"), "the password is not echoed");
  const foreign = await other.req("POST", "/login", form({ password: PASSWORD }), {
    "Content-Type": "application/x-www-form-urlencoded",
    Origin: "https://evil.example",
  });
  await foreign.body?.cancel();
  assert.equal(foreign.status, 403, "login CSRF refused");
  const ok = await other.req("POST", "/login", form({ password: PASSWORD, remember: "on" }), {
    "Content-Type": "application/x-www-form-urlencoded",
  });
  await ok.body?.cancel();
  assert.equal(ok.status, 303);
  assert.match(ok.headers.getSetCookie()[0], /Max-Age=604800/);
  const signedIn = await post("/setup", { password: PASSWORD, confirm: PASSWORD });
  await signedIn.body?.cancel();
  assert.equal(signedIn.status, 403, "a session's form post without a CSRF token is refused");
  const again = await new Client(bosun.url).req(
    "POST",
    "/setup",
    form({ password: PASSWORD, confirm: PASSWORD }),
    { "Content-Type": "application/x-www-form-urlencoded" },
  );
  assert.equal(again.status, 409);
  assert.match(await again.text(), /already set up/);
});
