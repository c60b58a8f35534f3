/** The Updates and Images pages in Chromium, against a real registry. */
import assert from "node:assert/strict";
import { Client, PASSWORD, startBosun } from "../_harness.ts";
import { Lab, startRegistry } from "../_registry.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name:
    "browser: an update is found, applied with live progress, and shown in history; images page pulls",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using registry = await startRegistry();
    await using lab = new Lab();
    const tag = `${registry.host}/ui-${lab.run}:latest`;
    await lab.push(tag, { label: "app.version=1" });
    const name = lab.name("ui");
    await lab.runContainer(name, ["-l", "bosun.environment=UAT"], tag);
    const v2 = await lab.push(tag, { label: "app.version=2" });
    await using bosun = await startBosun();
    await using session = await signedInBrowser(bosun);
    const admin = new Client(bosun.url);
    await admin.login(PASSWORD);
    await admin.json("PATCH", "/api/settings", { updateStabilizeSeconds: 1 });
    const { page } = session;

    await page.goto(`${bosun.url}/updates`);
    await islandsReady(page);
    const row = page.locator(`tr[data-container="${name}"]`);
    assert.equal(await row.getAttribute("data-status"), "unknown", "not checked yet");
    await page.click("button[data-check]");
    await page.locator(`tr[data-container="${name}"][data-status="available"]`).waitFor();
    assert.match(await row.innerText(), /UAT/);
    await row.locator("button[data-update]").click(); // confirm() is accepted
    await page.locator(".progress-log li", { hasText: `${name}: verifying` }).waitFor();
    await page.locator(".progress-log li", { hasText: `${name}: applied` }).waitFor({
      timeout: 30_000,
    });
    await page.locator(`[data-history] tr[data-result="applied"]`, { hasText: name }).waitFor();
    await page.locator(`tr[data-container="${name}"][data-status="current"]`).waitFor();
    const inspect = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command("docker", { args: ["inspect", name], stdout: "piped" }).output())
          .stdout,
      ),
    )[0];
    assert.equal(inspect.Image, v2);

    // The top bar counts available updates: push v3, check, reload.
    await lab.push(tag, { label: "app.version=3" });
    await admin.json("POST", "/api/updates/check", { containers: [name] });
    await page.reload();
    await islandsReady(page);
    const count = Number(
      await page.locator("[data-updates-available]").getAttribute(
        "data-updates-available",
      ),
    );
    assert.ok(count >= 1, `top bar count ${count}`);

    // Images: the image is listed with its user; a pull shows progress and completes.
    await page.goto(`${bosun.url}/images`);
    await islandsReady(page);
    await page.locator(`tr[data-image="${v2}"] [data-used-by]`, { hasText: name }).waitFor();
    const fresh = `${registry.host}/ui-${lab.run}:fresh`;
    await lab.push(fresh, { label: "app.version=4" });
    await new Deno.Command("docker", { args: ["rmi", fresh], stdout: "null" }).output();
    await page.fill('form[aria-label="Pull an image"] input[name="reference"]', fresh);
    await page.click('form[aria-label="Pull an image"] button[type="submit"]');
    await page.locator('.pull-progress[data-pull="complete"]').waitFor({ timeout: 30_000 });
    assert.ok(await page.locator(".pull-progress [data-layer]").count() > 0);
    assert.deepEqual(session.consoleErrors, []);
  },
});
