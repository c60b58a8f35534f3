/**
 * Notifications against real peers: an SMTP server (`npm:smtp-server`, with authentication)
 * and a local HTTP server standing in for webhook, ntfy, Gotify, Discord and Slack. Secrets
 * are never shown or logged; a failed backup, a verification failure and a schedule run are
 * delivered with the right content; a refusing SMTP server never affects the run.
 */
import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { freePort, setupAndLogin, sleep, startBosun, TestContainers } from "../_harness.ts";

type Hit = { path: string; headers: Headers; body: string };

Deno.test("notifications: every channel kind, secrets kept, events delivered", async (t) => {
  const hits: Hit[] = [];
  const httpPort = freePort();
  const http = Deno.serve(
    { hostname: "127.0.0.1", port: httpPort, onListen: () => {} },
    async (req) => {
      hits.push({ path: new URL(req.url).pathname, headers: req.headers, body: await req.text() });
      return new Response("ok");
    },
  );
  const mails: { from: string; to: string[]; text: string }[] = [];
  const smtpPort = freePort();
  const smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    onAuth(auth, _session, cb) {
      if (auth.username === "bosun" && auth.password === "mail-secret-123") cb(null, { user: 1 });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      let text = "";
      stream.on("data", (c: Uint8Array) => text += new TextDecoder().decode(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          text,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, "127.0.0.1", r));
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const base = `http://127.0.0.1:${httpPort}`;
  const events = ["backup.failed", "schedule.summary", "verify.failed"];
  const channels: Record<string, number> = {};
  const add = async (name: string, config: Record<string, unknown>, secret?: string) => {
    const r = await admin.json<{ id: number; hasSecret: boolean }>(
      "POST",
      "/api/notifications",
      { name, config, secret, events },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    channels[name] = r.body.id;
    return r.body;
  };
  try {
    await t.step("channels of every kind; secrets are write-only", async () => {
      await add("mail", {
        kind: "smtp",
        host: "127.0.0.1",
        port: smtpPort,
        security: "none",
        username: "bosun",
        from: "bosun@lab.test",
        to: ["admin@lab.test"],
      }, "mail-secret-123");
      await add("hook", { kind: "webhook", url: `${base}/hook` }, "hook-token-456");
      await add("ntfy", { kind: "ntfy", url: `${base}/ntfy/backups` });
      await add("gotify", { kind: "gotify", url: `${base}/gotify` }, "gotify-token-789");
      await add("discord", { kind: "discord" }, `${base}/discord/secret-path`);
      await add("slack", { kind: "slack" }, `${base}/slack/secret-path`);
      const list = await admin.json<{ channels: { hasSecret: boolean; name: string }[] }>(
        "GET",
        "/api/notifications",
      );
      const text = JSON.stringify(list.body);
      for (const s of ["mail-secret-123", "hook-token-456", "gotify-token-789", "secret-path"]) {
        assert.ok(!text.includes(s), `${s} is never shown`);
      }
      assert.equal(list.body.channels.find((c) => c.name === "mail")?.hasSecret, true);
      const metadata = await admin.json<{ detail: string }>("POST", "/api/notifications", {
        name: "evil",
        config: { kind: "webhook", url: "http://169.254.169.254/latest/meta-data" },
        events,
      });
      assert.equal(metadata.status, 400);
      assert.match(metadata.body.detail, /link-local/);
      const noSecret = await admin.json("POST", "/api/notifications", {
        name: "nohook",
        config: { kind: "discord" },
        events,
      });
      assert.equal(noSecret.status, 400);
    });

    await t.step(
      "send test reaches every channel; a blank secret keeps the stored one",
      async () => {
        const mail = (await admin.json<{ channels: Record<string, unknown>[] }>(
          "GET",
          "/api/notifications",
        )).body.channels.find((c) => c.name === "mail")!;
        const kept = await admin.json("PUT", `/api/notifications/${channels.mail}`, {
          name: "mail",
          config: mail.config,
          secret: "",
          events,
        });
        assert.equal(kept.status, 200);
        for (const [name, id] of Object.entries(channels)) {
          const r = await admin.json<{ ok: boolean; error: string | null }>(
            "POST",
            `/api/notifications/${id}/test`,
          );
          assert.equal(r.body.ok, true, `${name}: ${r.body.error}`);
        }
        assert.ok(mails.some((m) => /Test notification/.test(m.text)), "mail arrived");
        const hook = hits.find((h) => h.path === "/hook")!;
        assert.equal(hook.headers.get("authorization"), "Bearer hook-token-456");
        assert.equal(JSON.parse(hook.body).title, "Test notification");
        assert.equal(
          hits.find((h) => h.path === "/ntfy/backups")!.headers.get("title"),
          "Test notification",
        );
        assert.equal(
          hits.find((h) => h.path === "/gotify/message")!.headers.get("x-gotify-key"),
          "gotify-token-789",
        );
        assert.match(
          JSON.parse(hits.find((h) => h.path === "/discord/secret-path")!.body).content,
          /Test/,
        );
        assert.match(
          JSON.parse(hits.find((h) => h.path === "/slack/secret-path")!.body).text,
          /Test/,
        );
      },
    );

    await t.step("a failed backup is delivered with its reason", async () => {
      hits.length = 0;
      const id = await containers.create("failing", {});
      const r = await admin.json<{ status: string }>("POST", "/api/backups?wait=true", {
        container: id,
        pre: ["sh", "-c", "echo disk on fire >&2; exit 7"],
        remember: false,
      });
      assert.equal(r.body.status, "failed");
      for (let i = 0; i < 50 && !hits.some((h) => h.path === "/hook"); i++) await sleep(100);
      const hook = JSON.parse(hits.find((h) => h.path === "/hook")!.body);
      assert.equal(hook.type, "backup.failed");
      assert.match(hook.title, /Backup of .*failing failed/);
      assert.match(hook.message, /exited with 7: disk on fire/);
    });

    await t.step("a schedule run sends its summary by mail", async () => {
      mails.length = 0;
      const id = await containers.create("scheduled", {});
      const s = await admin.json<{ id: number }>("POST", "/api/schedules", {
        name: "mailed",
        cron: "0 3 * * *",
        selection: { mode: "containers", containers: [`bt-${containers.runId}-scheduled`] },
      });
      assert.equal(
        (await admin.json("POST", `/api/schedules/${s.body.id}/run?wait=true`)).status,
        200,
      );
      const summary = () => mails.find((m) => /Schedule mailed/.test(m.text));
      for (let i = 0; i < 50 && !summary(); i++) await sleep(100);
      const mail = summary();
      assert.ok(mail, "the summary was mailed");
      assert.match(mail.text, /Subject: \[Bosun [^\]]+\] Schedule mailed: complete/);
      assert.match(mail.text, /1 backed up, 0 failed/);
      assert.deepEqual(mail.to, ["admin@lab.test"]);
      void id;
    });

    await t.step("a failed verification is delivered", async () => {
      hits.length = 0;
      const [b] = (await admin.json<{ file: string }[]>("GET", "/api/backups")).body;
      const path = `${bosun.dataDir}/backups/${b.file}`;
      const data = await Deno.readFile(path);
      data[Math.floor(data.length / 2)] ^= 0x01;
      await Deno.writeFile(path, data);
      const v = await admin.json<{ ok: boolean }>("POST", `/api/backups/${b.file}/verify`);
      assert.equal(v.body.ok, false);
      for (let i = 0; i < 50 && !hits.some((h) => h.path === "/hook"); i++) await sleep(100);
      const hook = JSON.parse(hits.find((h) => h.path === "/hook")!.body);
      assert.equal(hook.type, "verify.failed");
      assert.equal(hook.title, `Verification of ${b.file} failed`);
    });

    await t.step("a refusing SMTP server is recorded, and the run is unaffected", async () => {
      await new Promise<void>((r) => smtp.close(() => r()));
      const s = await admin.json<{ schedules: { id: number; name: string }[] }>(
        "GET",
        "/api/schedules",
      );
      const mailed = s.body.schedules.find((x) => x.name === "mailed")!;
      const run = await admin.json<{ status: string }>(
        "POST",
        `/api/schedules/${mailed.id}/run?wait=true`,
      );
      assert.equal(run.body.status, "complete");
      let lastError: string | null = null;
      for (let i = 0; i < 100 && !lastError; i++) {
        await sleep(100);
        lastError = (await admin.json<{ channels: { name: string; lastError: string | null }[] }>(
          "GET",
          "/api/notifications",
        )).body.channels.find((c) => c.name === "mail")!.lastError;
      }
      assert.match(lastError ?? "", /ECONNREFUSED|connect|refused/i);
      assert.equal((await admin.json("GET", "/healthz")).status, 200);
    });

    await t.step("no secret ever reaches the logs", () => {
      const logs = bosun.logs();
      for (const s of ["mail-secret-123", "hook-token-456", "gotify-token-789", "secret-path"]) {
        assert.ok(!logs.includes(s), `${s} leaked into the logs`);
      }
    });
  } finally {
    await http.shutdown();
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});
