/** The stats page in Chromium: rows, countdown, refresh, charts after two samples. */
import assert from "node:assert/strict";
import { startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: stats page lists running containers and refreshes on demand",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun({ env: { BOSUN_STATS_INTERVAL: "1h" } });
    await using containers = new TestContainers();
    await containers.create("busy", { command: ["sh", "-c", "while true; do :; done"] });
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/stats`);
    await islandsReady(page);
    await page.click('button:has-text("Refresh now")');
    const row = page.locator(`tr[data-stats="bt-${containers.runId}-busy"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /\d+\.\d\d %/);
    assert.match(
      await page.locator("[data-countdown]").innerText(),
      /next in (59|60)m \d+s \(every 60 min\)/,
    );
    await page.click('button:has-text("Refresh now")');
    await row.locator(".sparkline canvas").first().waitFor();
    assert.deepEqual(session.consoleErrors, []);
  },
});
