/** The Volumes page in Chromium: users shown, create, in-use removal disabled, remove. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: volumes are listed with their users, created and removed",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const used = `bt-${containers.runId}-page`;
    const fresh = `bt-${containers.runId}-fresh`;
    await containers.create("vol", { args: ["-v", `${used}:/data`] });
    try {
      await using session = await signedInBrowser(bosun);
      const { page } = session;
      await page.goto(`${bosun.url}/volumes`);
      await islandsReady(page);
      const row = page.locator(`tr[data-volume="${used}"]`);
      assert.match(await row.locator("[data-used-by]").innerText(), /bt-.*-vol \(running\)/);
      assert.equal(await row.locator('button:has-text("Remove")').isDisabled(), true);
      // The explorer: into a folder, view a file, upload one.
      await docker(
        "exec",
        `bt-${containers.runId}-vol`,
        "sh",
        "-c",
        "mkdir -p /data/conf && echo 'port=8080' > /data/conf/app.ini",
      );
      await row.locator("button[data-explore]").click();
      const explorer = page.locator(`[data-explorer="${used}"]`);
      await explorer.locator('tr[data-entry="conf"] button').click();
      await explorer.locator('tr[data-entry="app.ini"] button').click();
      assert.equal(
        (await explorer.locator('[data-viewer="/conf/app.ini"] pre').innerText()).trim(),
        "port=8080",
      );
      await explorer.locator('input[name="upload-file"]').setInputFiles({
        name: "notes.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("from the browser\n"),
      });
      await explorer.locator('tr[data-entry="notes.txt"]').waitFor();
      assert.equal(
        await docker("exec", `bt-${containers.runId}-vol`, "cat", "/data/conf/notes.txt"),
        "from the browser\n",
      );
      await explorer.locator('button:has-text("Close")').click();
      await page.fill('form[aria-label="Create a volume"] input[name="name"]', fresh);
      await page.click('form[aria-label="Create a volume"] button[type="submit"]');
      const created = page.locator(`tr[data-volume="${fresh}"]`);
      await created.waitFor();
      // Every action shows the docker command it equals.
      await page.locator("[data-cli-toast] pre", { hasText: `docker volume create ${fresh}` })
        .waitFor();
      await created.locator('button:has-text("Remove")').click(); // confirm() is accepted
      await created.waitFor({ state: "detached" });
      assert.equal((await docker("volume", "ls", "-q", "--filter", `name=${fresh}`)).trim(), "");
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await docker("rm", "-f", `bt-${containers.runId}-vol`).catch(() => {});
      await docker("volume", "rm", "-f", used, fresh).catch(() => {});
    }
  },
});
