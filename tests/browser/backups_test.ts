/**
 * The Backups page in Chromium: back up from the containers page and from a container's own
 * form, preview, bulk verify, a download link, restore, delete all.
 */
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

      await t.step("the container page's backup form queues a paused backup", async () => {
        await page.goto(`${bosun.url}/containers/bt-${containers.runId}-web`);
        await islandsReady(page);
        const form = page.locator('form[aria-label="Back up"]');
        await form.locator('select[name="consistency"]').selectOption("pause");
        await form.locator('button[type="submit"]').click();
        await form.locator('[role="status"]', { hasText: "Queued backup job" }).waitFor();
      });

      await t.step("the Backups page shows the jobs complete and the backups listed", async () => {
        await page.goto(`${bosun.url}/backups`);
        await islandsReady(page);
        const rows = page.locator("tr[data-backup]", { hasText: `bt-${containers.runId}-web` });
        for (let i = 0; i < 100 && await rows.count() < 2; i++) {
          await page.waitForTimeout(200);
          if (i % 10 === 9) await page.reload().then(() => islandsReady(page));
        }
        assert.equal(await rows.count(), 2, "both backups are listed");
      });

      const row = page.locator("tr[data-backup]", { hasText: `bt-${containers.runId}-web` })
        .first();
      await t.step("preview shows the volume's files without extracting", async () => {
        await row.locator('button:has-text("Preview")').click();
        const preview = page.locator('section[aria-label="Preview"]');
        await preview.locator("code", { hasText: "file.txt" }).waitFor();
        await preview.locator('button:has-text("Close")').click();
      });

      await t.step("bulk verify marks the selected backups verified", async () => {
        await page.locator('input[aria-label="Select all"]').check();
        await page.click('button[data-bulk="verify"]');
        await page.locator("[data-vault-status]", { hasText: "Verified 2 backup(s)" }).waitFor({
          timeout: 30_000,
        });
        await row.locator("[data-verified]", { hasText: "✓ ok" }).waitFor();
      });

      await t.step("a download link works for someone without a session", async () => {
        await row.locator('button:has-text("Link")').click();
        const form = page.locator('form[aria-label="Download link"]');
        await form.locator('button:has-text("Create link")').click();
        const url = (await form.locator("code[data-link]").textContent())!;
        assert.match(url, /\/dl\/[A-Za-z0-9_-]{43}$/);
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.ok((await res.arrayBuffer()).byteLength > 100);
        await form.locator('button:has-text("Revoke")').click();
        await form.locator('button:has-text("Revoke")').waitFor({ state: "detached" });
        const gone = await fetch(url);
        await gone.body?.cancel();
        assert.equal(gone.status, 404);
        await form.locator('button:has-text("Close")').click();
      });

      await t.step("restore under a new name brings the data back", async () => {
        await row.locator('button:has-text("Restore")').click();
        await page.fill('form[aria-label="Restore"] input[name="name"]', restoredName);
        await page.click('form[aria-label="Restore"] button[type="submit"]');
        await page.locator('form[aria-label="Restore"] [role="status"]', { hasText: "Restored as" })
          .waitFor({ timeout: 30_000 });
        assert.equal(
          (await docker("exec", restoredName, "cat", "/data/file.txt")).trim(),
          "precious",
        );
      });

      await t.step("delete all asks for the typed confirmation", async () => {
        session.promptAnswers.push("delete all backups");
        await page.click('button[data-action="delete-all"]');
        await page.locator("[data-vault-status]", { hasText: "Deleted 2 backup(s)" }).waitFor();
        await page.locator("tr[data-backup]").first().waitFor({ state: "detached" });
        assert.equal(await page.locator("tr[data-backup]").count(), 0);
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
