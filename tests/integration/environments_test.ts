/**
 * Safety follows the environment tag: destructive actions on a PRD container need its name
 * in `confirm` (428 with its own problem type otherwise), across single, bulk, remove,
 * update and stack down; the host's environment is inherited by untagged containers; every
 * refusal and confirmation is audited.
 */
import assert from "node:assert/strict";
import { docker, setupAndLogin, startBosun, TestContainers } from "../_harness.ts";

type Problem = { status: number; type: string; detail: string };

Deno.test("PRD containers need their name confirmed; UAT/DEV do not; the host's tag is inherited", async (t) => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const prd = `bt-${containers.runId}-prd`;
  const dev = `bt-${containers.runId}-dev`;
  const plain = `bt-${containers.runId}-plain`;
  await containers.create("prd", { args: ["-l", "bosun.environment=PRD"] });
  await containers.create("dev", { args: ["-l", "bosun.environment=DEV"] });
  await containers.create("plain");
  const state = async (n: string) => (await docker("inspect", "-f", "{{.State.Status}}", n)).trim();

  await t.step("single actions: 428 without or with a wrong name, done with it", async () => {
    for (const q of ["", "?confirm=wrong", `?confirm=${prd.toUpperCase()}`]) {
      const r = await admin.json<Problem>("POST", `/api/containers/${prd}/stop${q}`);
      assert.equal(r.status, 428, q);
      assert.equal(r.headers.get("Content-Type"), "application/problem+json");
      assert.match(r.body.type, /confirmation-required$/);
      assert.match(r.body.detail, /tagged PRD/);
    }
    assert.equal(await state(prd), "running", "nothing happened");
    assert.equal(
      (await admin.json("POST", `/api/containers/${prd}/pause`)).status,
      200,
      "pause is not destructive",
    );
    await admin.json("POST", `/api/containers/${prd}/unpause`);
    const ok = await admin.json("POST", `/api/containers/${prd}/stop?t=1&confirm=${prd}`);
    assert.equal(ok.status, 200);
    assert.equal(await state(prd), "exited");
    assert.equal(
      (await admin.json("POST", `/api/containers/${prd}/start`)).status,
      200,
      "start is safe",
    );
    assert.equal((await admin.json("POST", `/api/containers/${dev}/restart?t=1`)).status, 200);
  });

  await t.step("bulk: the PRD container is refused unless named in confirm", async () => {
    const r = await admin.json<{ results: { name?: string; ok: boolean; status?: number }[] }>(
      "POST",
      "/api/containers/bulk",
      { action: "stop", ids: [prd, dev], timeout: 1 },
    );
    assert.deepEqual(r.body.results.map((x) => [x.ok, x.status]), [[false, 428], [
      true,
      undefined,
    ]]);
    assert.equal(await state(prd), "running");
    const confirmed = await admin.json<{ results: { ok: boolean }[] }>(
      "POST",
      "/api/containers/bulk",
      {
        action: "restart",
        ids: [prd, dev],
        timeout: 1,
        confirm: [prd],
      },
    );
    assert.deepEqual(confirmed.body.results.map((x) => x.ok), [true, true]);
  });

  await t.step("update and redeploy of a PRD container need the confirmation too", async () => {
    const r = await admin.json<Problem>("POST", `/api/updates/containers/${prd}/redeploy`, {});
    assert.equal(r.status, 428);
    const ok = await admin.json("POST", `/api/updates/containers/${prd}/redeploy`, {
      confirm: prd,
    });
    assert.equal(ok.status, 202, "queued (its pull then fails here: no internet)");
  });

  await t.step("the host's environment is inherited by untagged containers", async () => {
    assert.equal((await admin.json("POST", `/api/containers/${plain}/restart?t=1`)).status, 200);
    await admin.json("PATCH", "/api/settings", { hostEnvironment: "PRD" });
    assert.equal((await admin.json("POST", `/api/containers/${plain}/restart?t=1`)).status, 428);
    assert.equal(
      (await admin.json("POST", `/api/containers/${dev}/restart?t=1`)).status,
      200,
      "its own tag wins",
    );
    await admin.json("PATCH", "/api/settings", { hostEnvironment: "MIXED" });
    assert.equal((await admin.json("POST", `/api/containers/${plain}/restart?t=1`)).status, 200);
  });

  await t.step("remove needs it; refusals and confirmations are audited", async () => {
    await docker("stop", "-t", "1", prd);
    assert.equal((await admin.json("DELETE", `/api/containers/${prd}`)).status, 428);
    assert.equal((await admin.json("DELETE", `/api/containers/${prd}?confirm=${prd}`)).status, 200);
    await assert.rejects(docker("inspect", prd));
    const audit = await admin.json<
      { action: string; result: string; details?: { confirmed?: boolean } }[]
    >(
      "GET",
      `/api/audit?target=${prd}`,
    );
    const rows = audit.body;
    assert.ok(
      rows.some((r) => r.action === "container.stop" && r.result === "denied"),
      JSON.stringify(rows),
    );
    assert.ok(
      rows.some((r) =>
        r.action === "container.stop" && r.result === "success" && r.details?.confirmed
      ),
    );
    assert.ok(rows.some((r) => r.action === "container.remove" && r.result === "denied"));
  });
});

Deno.test("stack down of a stack holding a PRD container needs the stack's name", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const stack = `btenv${containers.runId}`;
  await containers.create("s1", {
    args: [
      "-l",
      `com.docker.compose.project=${stack}`,
      "-l",
      "com.docker.compose.service=a",
      "-l",
      "bosun.environment=PRD",
    ],
  });
  const r = await admin.json<Problem>("POST", `/api/stacks/${stack}/down`, {});
  assert.equal(r.status, 428);
  assert.match(r.body.detail, /PRD containers/);
  assert.equal(
    (await docker("inspect", "-f", "{{.State.Status}}", `bt-${containers.runId}-s1`)).trim(),
    "running",
  );
  const ok = await admin.json("POST", `/api/stacks/${stack}/down`, { confirm: stack });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  await assert.rejects(docker("inspect", `bt-${containers.runId}-s1`));
});

Deno.test("restoring over a PRD container's volume needs its name", async () => {
  await using bosun = await startBosun();
  await using containers = new TestContainers();
  const admin = await setupAndLogin(bosun);
  const volume = `bt-${containers.runId}-vol`;
  const prd = `bt-${containers.runId}-db`;
  await containers.create("db", { args: ["-l", "bosun.environment=PRD", "-v", `${volume}:/data`] });
  try {
    const backup = await admin.json<{ status: string; file: string }>(
      "POST",
      "/api/backups?wait=true",
      { container: prd, compression: "gzip" },
    );
    assert.equal(backup.body.status, "complete", JSON.stringify(backup.body));
    await docker("stop", "-t", "0", prd);
    const body = { name: `${prd}-copy`, volumes: { [volume]: { mode: "overwrite" } } };
    const refused = await admin.json<Problem>(
      "POST",
      `/api/backups/${backup.body.file}/restore`,
      body,
    );
    assert.equal(refused.status, 428, JSON.stringify(refused.body));
    assert.match(refused.body.detail, new RegExp(`"${prd}" is tagged PRD`));
    const confirmed = await admin.json<Problem>(
      "POST",
      `/api/backups/${backup.body.file}/restore`,
      { ...body, confirm: prd },
    );
    assert.notEqual(confirmed.status, 428, "past the confirmation (the engine decides the rest)");
  } finally {
    await docker("rm", "-f", `${prd}-copy`).catch(() => {});
    await docker("rm", "-f", prd).catch(() => {});
    await docker("volume", "rm", "-f", volume).catch(() => {});
  }
});
