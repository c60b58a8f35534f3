/** The Stacks page in Chromium: the editor marks errors at their lines, deploy shows its steps, the converter fills a new stack. */
import assert from "node:assert/strict";
import { docker, startBosun, TEST_IMAGE } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: a stack is written with inline errors, deployed with live steps, and taken down",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    const name = `btb${crypto.randomUUID().slice(0, 6)}`;
    try {
      await using session = await signedInBrowser(bosun);
      const { page } = session;
      await page.goto(`${bosun.url}/stacks`);
      await islandsReady(page);
      await page.click("button[data-new-stack]");
      const editor = page.locator("[data-editor]");
      await editor.locator('input[name="stack"]').fill(name);
      await editor.locator('textarea[name="compose"]').fill(
        `services:\n  app:\n    image: ${TEST_IMAGE}\n    depends_on: [ghost]\n`,
      );
      await editor.locator("[data-problems] li.error", { hasText: "line 4" }).waitFor();
      assert.equal(await editor.locator(".gutter .bad").innerText(), "4\n");
      await editor.locator('textarea[name="compose"]').fill(
        `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    build: .\n`,
      );
      await editor.locator("[data-problems] li.warning", { hasText: "build" }).waitFor();
      assert.equal(await editor.locator("[data-problems] li.error").count(), 0);
      await editor.locator("button[data-save-deploy]").click();
      await page.locator('.deploy-progress[data-job="complete"]').waitFor({ timeout: 30_000 });
      assert.match(await page.locator(".deploy-progress").innerText(), /app: creating/);
      const row = page.locator(`tr[data-stack="${name}"][data-state="running"]`);
      await row.waitFor();
      assert.equal(
        (await docker("inspect", "-f", "{{.State.Status}}", `${name}-app-1`)).trim(),
        "running",
      );

      // Down (the second confirm, for volumes, is accepted too).
      await row.locator('button:has-text("Down")').click();
      await page.locator(`tr[data-stack="${name}"][data-state="not deployed"]`).waitFor();
      await assert.rejects(docker("inspect", `${name}-app-1`));

      await page.click(".converter summary");
      await page.fill(
        '.converter textarea[name="command"]',
        "docker run -d --name web -p 8080:80 -e A=1 nginx:1.27",
      );
      await page.click("button[data-convert]");
      assert.match(
        await page.locator("[data-converted]").innerText(),
        /container_name: web[\s\S]*8080:80/,
      );
      assert.deepEqual(session.consoleErrors.filter((e) => !/status of 400/.test(e)), []);
    } finally {
      await docker("rm", "-f", `${name}-app-1`).catch(() => {});
      await docker("network", "rm", `${name}_default`).catch(() => {});
    }
  },
});
