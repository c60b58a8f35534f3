/** The New container page in Chromium: name check, live docker run preview, create. */
import assert from "node:assert/strict";
import { docker, startBosun, TEST_IMAGE, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: a container is created from the guided form with a live CLI preview",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const taken = `bt-${containers.runId}-taken`;
    const name = `bt-${containers.runId}-guided`;
    await containers.create("taken");
    try {
      await using session = await signedInBrowser(bosun);
      const { page } = session;
      await page.goto(`${bosun.url}/containers`);
      await page.click("[data-new-container]");
      await page.waitForURL(/\/containers\/new$/);
      await islandsReady(page);
      const form = page.locator('form[aria-label="Create a container"]');
      await form.locator('input[name="name"]').fill(taken);
      await form.locator("[data-name-check]", { hasText: `Taken. Free: ${taken}-dev` }).waitFor();
      await form.locator('input[name="name"]').fill(name);
      await form.locator('input[name="image"]').fill(TEST_IMAGE);
      await form.locator('input[name="advanced"]').check();
      await form.locator('input[name="command"]').fill("sleep 3600");
      await form.locator('select[name="environment"]').selectOption("SANDBOX");
      await form.locator("[data-preview]", { hasText: `--name ${name}` }).waitFor();
      const preview = await form.locator("[data-preview]").innerText();
      assert.match(preview, /--memory 512m/);
      assert.match(preview, /sleep 3600/);
      await form.locator('button[type="submit"]').click();
      await page.waitForURL(new RegExp(`/containers/${name}$`));
      const i = JSON.parse(await docker("inspect", name))[0];
      assert.equal(i.State.Status, "running");
      assert.equal(i.Config.Labels["bosun.environment"], "SANDBOX");
      assert.deepEqual(session.consoleErrors.filter((e) => !/status of 40\d/.test(e)), []);
    } finally {
      await docker("rm", "-f", name).catch(() => {});
    }
  },
});
