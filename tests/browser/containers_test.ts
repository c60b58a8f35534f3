/** The containers pages in Chromium: live state, bulk buttons, details actions. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: containers page follows engine events and enables bulk buttons by state",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const runningId = await containers.create("running");
    await containers.create("created", { start: false });
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    const row = (name: string) =>
      page.locator(`tr[data-container="bt-${containers.runId}-${name}"]`);

    await page.goto(`${bosun.url}/containers`);

    await islandsReady(page);
    await page.locator(".live.on").waitFor();

    await t.step("bulk buttons follow the selection's states", async () => {
      const enabled = async () => {
        const out: string[] = [];
        for (const a of ["start", "stop", "restart", "kill", "pause", "unpause"]) {
          if (await page.isEnabled(`button[data-bulk="${a}"]`)) out.push(a);
        }
        return out;
      };
      assert.deepEqual(await enabled(), [], "nothing selected");
      await row("running").locator("input[type=checkbox]").check();
      assert.deepEqual(await enabled(), ["stop", "restart", "kill", "pause"]);
      await row("created").locator("input[type=checkbox]").check();
      assert.deepEqual(await enabled(), ["start", "stop", "restart", "kill", "pause"]);
      await row("running").locator("input[type=checkbox]").uncheck();
      assert.deepEqual(await enabled(), ["start", "restart"]);
    });

    await t.step("an out-of-band `docker stop` shows on the open page", async () => {
      await docker("stop", "-t", "1", runningId);
      await page.locator(
        `tr[data-container="bt-${containers.runId}-running"][data-state="exited"]`,
      ).waitFor({ timeout: 5000 });
    });

    await t.step("bulk start from the page starts the selected containers", async () => {
      await row("running").locator("input[type=checkbox]").check();
      await page.click('button[data-bulk="start"]');
      await page.locator('[role="status"]:has-text("Start: 2 of 2 done")').waitFor();
      await page.locator(
        `tr[data-container="bt-${containers.runId}-created"][data-state="running"]`,
      ).waitFor({ timeout: 5000 });
    });

    await t.step("details page: pause and resume, inspect masked", async () => {
      await row("running").locator("td.name a").click();
      await page.waitForURL(/\/containers\/bt-/);
      await islandsReady(page);
      await page.locator("[data-live-cpu]", { hasText: /\d+\.\d %/ }).waitFor();
      await page.click('button[data-action="pause"]');
      await page.locator('[data-live-state]:has-text("paused")').waitFor();
      assert.equal(await page.isEnabled('button[data-action="unpause"]'), true);
      assert.equal(await page.isEnabled('button[data-action="start"]'), false);
      await page.click('button[data-action="unpause"]');
      await page.locator('[data-live-state]:has-text("running")').waitFor();
      await page.click('button:has-text("Show inspect JSON")');
      await page.locator("pre[data-inspect]").waitFor();
      assert.match(await page.locator("pre[data-inspect]").innerText(), /"Id": "/);
    });

    await t.step("remove from the details page after confirming", async () => {
      await page.click('button[data-action="remove"]');
      await page.locator('p.notice:has-text("This container was removed")').waitFor();
      assert.ok(session.dialogs.some((d) => d.startsWith("confirm: Remove container")));
    });

    assert.deepEqual(session.consoleErrors, []);
  },
});
