/** The Volumes page in Chromium: users shown, create, in-use removal disabled, remove. */
import assert from "node:assert/strict";
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
      await page.fill('form[aria-label="Create a volume"] input[name="name"]', fresh);
      await page.click('form[aria-label="Create a volume"] button[type="submit"]');
      const created = page.locator(`tr[data-volume="${fresh}"]`);
      await created.waitFor();
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
