/** The exec terminal's WebSocket against a real container. */
import assert from "node:assert/strict";
import {
  docker,
  rawRequest,
  setupAndLogin,
  sleep,
  startBosun,
  TestContainers,
} from "../_harness.ts";

/** Opens the exec WebSocket with the client's cookie and the given Origin. */
function openExec(url: string, cookie: string, origin: string): Promise<WebSocket> {
  // @ts-ignore: Deno's WebSocket accepts headers
  const ws = new WebSocket(url, { headers: { Cookie: cookie, Origin: origin } });
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = (e) => reject(new Error(`WebSocket failed: ${(e as ErrorEvent).message}`));
  });
}

/** Collects output until `pattern` shows up. */
function waitForOutput(ws: WebSocket, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} in output: ${text}`)),
      timeoutMs,
    );
    ws.onmessage = (e) => {
      text += typeof e.data === "string"
        ? e.data
        : decoder.decode(new Uint8Array(e.data), { stream: true });
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve(text);
      }
    };
  });
}

Deno.test("exec terminal over WebSocket", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const id = await containers.create("shell");
  const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const wsUrl = (query = "") =>
    `${bosun.url.replace("http", "ws")}/api/containers/${id}/exec?cols=80&rows=24${query}`;

  await t.step("a round trip: echo $((6*7)) prints 42; resize reaches the TTY", async () => {
    const ws = await openExec(wsUrl(), cookie, bosun.url);
    const out = waitForOutput(ws, /\b42\b/);
    ws.send(JSON.stringify({ type: "input", data: "echo $((6*7))\n" }));
    assert.match(await out, /42/);
    ws.send(JSON.stringify({ type: "resize", cols: 100, rows: 30 }));
    // The resize is an engine call beside the input stream: ask until the TTY has it (under
    // load a fixed wait was not enough in CI).
    const size = waitForOutput(ws, /30 100/);
    const ask = () => ws.send(new TextEncoder().encode("stty size\n"));
    ask();
    const again = setInterval(ask, 500);
    try {
      assert.match(await size, /30 100/);
    } finally {
      clearInterval(again);
    }
    ws.close();
  });

  await t.step("closing the page ends the exec session", async () => {
    const ws = await openExec(wsUrl("&cwd=/tmp"), cookie, bosun.url);
    const pwd = waitForOutput(ws, /\/tmp/);
    ws.send(JSON.stringify({ type: "input", data: "pwd\n" }));
    await pwd;
    const during = (await docker("top", id)).trim().split("\n").length;
    ws.close();
    let after = during;
    for (let i = 0; i < 50 && after >= during; i++) {
      await sleep(200);
      after = (await docker("top", id)).trim().split("\n").length;
    }
    assert.ok(after < during, `shell still running: ${during} → ${after} lines of top`);
  });

  await t.step("a foreign Origin is refused with 403 and audited", async () => {
    const head = [
      `GET /api/containers/${id}/exec HTTP/1.1`,
      `Host: 127.0.0.1:${bosun.port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      "Origin: https://evil.example",
      `Cookie: ${cookie}`,
    ].join("\n");
    const r = await rawRequest(bosun.port, head);
    assert.equal(r.status, 403);
    const noOrigin = await rawRequest(bosun.port, head.replace(/\nOrigin: .*$/m, ""));
    assert.equal(noOrigin.status, 403, "a browser session must send its Origin");
    const anon = await rawRequest(
      bosun.port,
      head.replace(/\nCookie: .*$/m, "").replace(
        "https://evil.example",
        bosun.url,
      ),
    );
    assert.equal(anon.status, 401);
    const audit = await admin.json<{ result: string }[]>("GET", "/api/audit?action=container.exec");
    assert.ok(audit.body.some((a) => a.result === "denied"));
    assert.ok(audit.body.some((a) => a.result === "success"));
  });

  await t.step("bad shell, user or cwd are 400; a stopped container is 409", async () => {
    const upgradeHeaders = {
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
      Origin: bosun.url,
    };
    for (
      const q of ["shell=sh", "shell=/bin/../etc/x", "cwd=../etc", "user=root;rm", "cols=9999"]
    ) {
      const r = await admin.json(
        "GET",
        `/api/containers/${id}/exec?${q}`,
        undefined,
        upgradeHeaders,
      );
      assert.equal(r.status, 400, q);
    }
    const stopped = await containers.create("stopped", { start: false });
    const r = await admin.json<{ detail: string }>(
      "GET",
      `/api/containers/${stopped}/exec`,
      undefined,
      upgradeHeaders,
    );
    assert.equal(r.status, 409);
    assert.match(r.body.detail, /it is created/);
    const plain = await admin.json("GET", `/api/containers/${id}/exec`);
    assert.equal(plain.status, 400, "without an upgrade");
  });
});
