/** The Schedules page in Chromium: create with a preset, preview, bad cron, run now, dry run. */
import assert from "node:assert/strict";
import { startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: schedules are created with a preset, previewed, run now and explained",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const target = `bt-${containers.runId}-nightly`;
    await containers.create("nightly", {});
    await using session = await signedInBrowser(bosun);
    const { page } = session;

    await t.step("the editor previews a daily preset and saves it", async () => {
      await page.goto(`${bosun.url}/schedules`);
      await islandsReady(page);
      await page.locator("[data-server-clock]").waitFor();
      await page.click('button:has-text("New schedule")');
      const form = page.locator('form[aria-label="Schedule"]');
      await form.locator('input[name="name"]').fill("nightly");
      await form.locator('input[type="number"]').first().fill("4");
      await form.locator('input[name="timezone"]').fill("UTC");
      await form.locator('[aria-label="Next runs"]', { hasText: "04:00:00 UTC" }).waitFor();
      await form.locator('select[name="mode"]').selectOption("containers");
      await form.locator('input[name="target"]').fill(target);
      await form.locator('input[name="keepLast"]').fill("3");
      await form.locator('button[type="submit"]').click();
      const row = page.locator('tr[data-schedule="nightly"]');
      await row.waitFor();
      assert.match(await row.locator("td").nth(1).innerText(), /0 4 \* \* \*/);
      assert.match(await row.locator("[data-next-run]").innerText(), /04:00:00 UTC/);
    });

    await t.step("a bad cron expression is refused with the parser's message", async () => {
      await page.locator('tr[data-schedule="nightly"] button:has-text("Edit")').click();
      const form = page.locator('form[aria-label="Schedule"]');
      await form.locator('input[name="cron"]').fill("0 25 * * *");
      await form.locator('[role="alert"]', { hasText: "Invalid cron expression" }).waitFor();
      await form.locator('button:has-text("Cancel")').click();
    });

    await t.step("run now backs up the container; the dry run explains retention", async () => {
      const row = page.locator('tr[data-schedule="nightly"]');
      await row.locator('button:has-text("Run now")').click();
      await row.locator("[data-last-run]", { hasText: "complete" }).waitFor({ timeout: 30_000 });
      assert.match(await row.locator("[data-last-run]").innerText(), /1 backed up/);
      await row.locator('button:has-text("Retention")').click();
      const dialog = page.locator('section[aria-label="Retention dry run"]');
      await dialog.locator('li[data-keep="true"]', { hasText: "last 1" }).waitFor();
    });

    await t.step("the dashboard names the next scheduled backup", async () => {
      await page.goto(`${bosun.url}/`);
      assert.match(await page.locator("[data-next-backup]").innerText(), /nightly at .* 04:00 UTC/);
    });
    // The preview of the bad cron answers 400 on purpose; Chromium logs every failed fetch.
    assert.deepEqual(
      session.consoleErrors.filter((e) => !/status of 400 \(Bad Request\)/.test(e)),
      [],
    );
  },
});
