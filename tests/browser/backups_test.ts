/** The Backups page in Chromium: back up from the containers page, verify, restore. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: back up from the containers page, verify and restore on the Backups page",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const volume = `bt-${containers.runId}-web`;
    const id = await containers.create("web", { args: ["-v", `${volume}:/data`] });
    await docker("exec", id, "sh", "-c", "echo precious > /data/file.txt");
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    const restoredName = `bt-${containers.runId}-web-restored`;
    try {
      await t.step("the containers page queues a backup of the selection", async () => {
        await page.goto(`${bosun.url}/containers`);
        await islandsReady(page);
        await page.locator(`tr[data-container="bt-${containers.runId}-web"] input[type=checkbox]`)
          .check();
        await page.click('button[data-bulk="backup"]');
        await page.locator('[role="status"]', { hasText: "Queued 1 backup" }).waitFor();
      });

      await t.step("the Backups page shows the job complete and the backup listed", async () => {
        await page.goto(`${bosun.url}/backups`);
        await islandsReady(page);
        await page.locator('[data-status="complete"]').first().waitFor({ timeout: 30_000 });
        const row = page.locator("tr[data-backup]", { hasText: `bt-${containers.runId}-web` });
        await row.waitFor();
        await row.locator('button:has-text("Verify")').click();
        await row.locator("[data-verified]", { hasText: "✓ ok" }).waitFor({ timeout: 30_000 });
        await row.locator('button:has-text("Restore")').click();
      });

      await t.step("restore under a new name brings the data back", async () => {
        await page.fill('form[aria-label="Restore"] input[pattern]', restoredName);
        await page.click('form[aria-label="Restore"] button[type="submit"]');
        await page.locator('form[aria-label="Restore"] [role="status"]', { hasText: "Restored as" })
          .waitFor({ timeout: 30_000 });
        assert.equal(
          (await docker("exec", restoredName, "cat", "/data/file.txt")).trim(),
          "precious",
        );
      });
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      const vols =
        (await docker("inspect", "-f", "{{range .Mounts}}{{.Name}} {{end}}", restoredName)
          .catch(() => "")).trim().split(" ").filter(Boolean);
      await docker("rm", "-f", restoredName).catch(() => {});
      await docker("rm", "-f", id).catch(() => {});
      for (const v of [volume, ...vols]) await docker("volume", "rm", "-f", v).catch(() => {});
    }
  },
});
