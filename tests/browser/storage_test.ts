/** Settings → Storage and the Backups page's S3 section in Chromium, against s3rver. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { startS3 } from "../_s3.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: an S3 target is tested, saved, and a backup copied there and verified",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using s3 = await startS3("lab-backups");
    const { port } = s3;
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const id = await containers.create("s3ui", {});
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/settings`);
    await islandsReady(page);
    await page.click('button:has-text("Add S3 target")');
    const form = page.locator('form[aria-label="Storage target"]');
    await form.locator('input[name="name"]').fill("garage");
    await form.locator('input[name="endpoint"]').fill(`http://127.0.0.1:${port}`);
    await form.locator('input[name="bucket"]').fill("lab-backups");
    await form.locator('input[name="accessKeyId"]').fill("S3RVER");
    await form.locator('input[name="secretAccessKey"]').fill("S3RVER");
    await form.locator('button:has-text("Test connection")').click();
    await form.locator('[role="status"]', { hasText: "Connection works" }).waitFor();
    await form.locator('button[type="submit"]').click();
    await page.locator('li[data-target="garage"]').waitFor();

    await docker("exec", id, "true");
    await page.goto(`${bosun.url}/containers/bt-${containers.runId}-s3ui`);
    await islandsReady(page);
    await page.locator('form[aria-label="Back up"] button[type="submit"]').click();
    await page.locator('form[aria-label="Back up"] [role="status"]').waitFor();
    await page.goto(`${bosun.url}/backups`);
    await islandsReady(page);
    const local = page.locator("tr[data-backup]").first();
    for (let i = 0; i < 50 && !(await local.count()); i++) {
      await page.waitForTimeout(200);
      if (i % 10 === 9) await page.reload().then(() => islandsReady(page));
    }
    const file = (await local.getAttribute("data-backup"))!;
    const section = page.locator('[data-remote-target="garage"]');
    await section.locator("select").selectOption(file);
    await section.locator('button:has-text("Copy to garage")').click();
    const remote = section.locator(`li[data-remote-backup="${file}"]`);
    await remote.waitFor({ timeout: 30_000 });
    await remote.locator('button:has-text("Verify")').click();
    await page.locator('[role="status"]', { hasText: `${file} on garage: verified` }).waitFor({
      timeout: 30_000,
    });
    assert.deepEqual(session.consoleErrors, []);
  },
});
