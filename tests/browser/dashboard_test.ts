/** Dashboard, top bar and events page in Chromium. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: dashboard counts, host meter, events page filters and live additions",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const id = await containers.create("watched", { start: false });
    await using session = await signedInBrowser(bosun);
    const { page } = session;

    await t.step("dashboard shows the engine's counts and the host meter", async () => {
      // Other test files add and remove images meanwhile: compare at a moment when the
      // engine's count was the same just before and just after the page was made.
      const images = async () => JSON.parse(await docker("info", "--format", "{{json .}}")).Images;
      for (let attempt = 1;; attempt++) {
        const before = await images();
        await page.goto(`${bosun.url}/`);
        await islandsReady(page);
        const after = await images();
        if (before !== after && attempt < 10) continue;
        assert.equal(await page.locator('[data-count="images"]').innerText(), String(after));
        break;
      }
      await page.locator("[data-host-meter]").waitFor();
      assert.match(await page.locator("[data-host-meter]").innerText(), /CPU \d+ % · RAM/);
    });

    await t.step("events page: a live start appears; the type filter narrows actions", async () => {
      await page.goto(`${bosun.url}/events`);
      await islandsReady(page);
      await page.locator(".events-board .live.on").waitFor();
      await docker("start", id);
      await page.locator('tr[data-event="start"]', { hasText: `bt-${containers.runId}-watched` })
        .first().waitFor({ timeout: 5000 });
      await page.selectOption('select[aria-label="Type"]', "volume");
      const options = await page.locator('select[aria-label="Action"] option').allInnerTexts();
      assert.deepEqual(options, ["all actions", "create", "destroy", "mount", "unmount"]);
      await page.selectOption('select[aria-label="Type"]', "container");
      await page.selectOption('select[aria-label="Action"]', "start");
      await page.click('button:has-text("Load")');
      await page.fill('input[aria-label="Search events"]', `${containers.runId}-watched`);
      await page.locator("tbody tr", { hasText: `${containers.runId}-watched` }).first().waitFor();
      const rows = await page.locator("tbody tr").allInnerTexts();
      assert.ok(rows.length >= 1 && rows.every((r) => /start/.test(r)), rows.join("|"));
    });

    assert.deepEqual(session.consoleErrors, []);
  },
});
