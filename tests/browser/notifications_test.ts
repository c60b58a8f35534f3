/** Settings → Notifications in Chromium: add a webhook channel, send a test, keep its secret. */
import assert from "node:assert/strict";
import { freePort, startBosun } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: a webhook channel is added, tested and edited without losing its token",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const hits: { auth: string | null; body: string }[] = [];
    const port = freePort();
    const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (req) => {
      hits.push({ auth: req.headers.get("authorization"), body: await req.text() });
      return new Response("ok");
    });
    try {
      await using bosun = await startBosun();
      await using session = await signedInBrowser(bosun);
      const { page } = session;
      await page.goto(`${bosun.url}/settings`);
      await islandsReady(page);
      await page.click('button:has-text("Add channel")');
      const form = page.locator('form[aria-label="Notification channel"]');
      await form.locator('input[name="name"]').fill("lab hook");
      await form.locator('input[name="url"]').fill(`http://127.0.0.1:${port}/hook`);
      await form.locator('input[name="secret"]').fill("token-in-the-browser");
      await form.locator('button[type="submit"]').click();
      const row = page.locator('li[data-channel="lab hook"]');
      await row.waitFor();
      await row.locator('button:has-text("Send test")').click();
      await page.locator('[role="status"]', { hasText: "Test sent over lab hook" }).waitFor();
      assert.equal(hits.at(-1)?.auth, "Bearer token-in-the-browser");

      await row.locator('button:has-text("Edit")').click();
      const secret = form.locator('input[name="secret"]');
      assert.equal(await secret.inputValue(), "", "the stored secret is never sent to the page");
      assert.equal(await secret.getAttribute("placeholder"), "stored — leave blank to keep");
      await form.locator('button[type="submit"]').click();
      await row.locator('button:has-text("Send test")').click();
      await page.waitForTimeout(300);
      assert.equal(hits.at(-1)?.auth, "Bearer token-in-the-browser", "kept after an edit");
      assert.ok(!(await page.content()).includes("token-in-the-browser"));
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await server.shutdown();
    }
  },
});
