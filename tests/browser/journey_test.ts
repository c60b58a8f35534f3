/** First browser journey in Debian's Chromium: setup → login → containers → filter. */
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { PASSWORD, startBosun, TestContainers } from "../_harness.ts";
import { CHROMIUM_ARGS, islandsReady } from "./_browser.ts";

Deno.test({
  name: "browser: setup, sign in, the containers page lists and filters containers",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    await containers.create("web");
    await containers.create("db", { start: false });
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: CHROMIUM_ARGS,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const consoleErrors: string[] = [];
      page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      page.on("pageerror", (e) => consoleErrors.push(String(e)));

      await t.step(
        "first visit lands on setup; weak password keeps the button disabled",
        async () => {
          await page.goto(`${bosun.url}/containers`);
          await islandsReady(page);
          await page.waitForURL(/\/setup$/);
          await islandsReady(page);
          await page.fill('input[name="password"]', "short");
          await page.fill('input[name="confirm"]', "short");
          assert.equal(await page.isDisabled('button[type="submit"]'), true);
          assert.equal(await page.locator('li[data-rule="length"].todo').count(), 1);
        },
      );

      await t.step("a valid password sets up and signs in", async () => {
        await page.fill('input[name="password"]', PASSWORD);
        await page.fill('input[name="confirm"]', PASSWORD);
        assert.equal(await page.locator("li.todo").count(), 0, "every rule ticked");
        await page.click('button[type="submit"]');
        await page.waitForURL(`${bosun.url}/`);
        await islandsReady(page);
        assert.match(await page.locator("h1").innerText(), /Dashboard/);
      });

      await t.step("sign out, then sign in on the login page", async () => {
        await page.click("button[data-logout]");
        await page.waitForURL(/\/login$/);
        await islandsReady(page);
        await page.fill('input[name="password"]', "Wrong-Password-1!");
        await page.click('button[type="submit"]');
        await page.locator('p.error[role="alert"]').waitFor();
        assert.match(await page.locator("p.error").innerText(), /Wrong password/);
        await page.fill('input[name="password"]', PASSWORD);
        await page.click('button[type="submit"]');
        await page.waitForURL(`${bosun.url}/`);
        await islandsReady(page);
      });

      await t.step("the containers page lists the test containers", async () => {
        await page.goto(`${bosun.url}/containers`);
        await islandsReady(page);
        const web = page.locator(`tr[data-container="bt-${containers.runId}-web"]`);
        const db = page.locator(`tr[data-container="bt-${containers.runId}-db"]`);
        await web.waitFor();
        assert.match(await web.innerText(), /running/);
        assert.match(await db.innerText(), /created/);
      });

      await t.step("typing in the filter narrows the rows instantly", async () => {
        await page.fill("input.filter", `${containers.runId}-web`);
        await page.locator(`tr[data-container="bt-${containers.runId}-db"]`).waitFor({
          state: "detached",
        });
        assert.equal(await page.locator("tbody tr").count(), 1);
        await page.screenshot({ path: `${bosun.dataDir}/containers.png` });
      });

      await t.step("settings: rename the server, create an API token shown once", async () => {
        await page.goto(`${bosun.url}/settings`);
        await islandsReady(page);
        await page.fill('input[name="serverName"]', "lab-pi");
        await page.click(".settings-form button[type=submit]");
        await page.locator('.settings-form [role="status"]').waitFor();
        assert.equal(await page.locator(".topbar .server").innerText(), "lab-pi");
        await page.reload();
        await islandsReady(page);
        assert.equal(await page.locator(".topbar .server").innerText(), "lab-pi");
        await page.fill('input[aria-label="Token name"]', "browser-token");
        await page.click('.security-panel button:has-text("Create token")');
        const token = await page.locator("code.token").innerText();
        assert.match(token, /^bosun_/);
        await page.locator('.tokens li:has-text("browser-token")').waitFor();
        await page.reload();
        await islandsReady(page);
        assert.equal(await page.locator("code.token").count(), 0, "the value is not shown again");
        const res = await fetch(`${bosun.url}/api/containers`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        await res.body?.cancel();
        assert.equal(res.status, 200);
      });

      // The 401s are expected: the unauthenticated first visit and the wrong password.
      const unexpected = consoleErrors.filter((e) => !/status of 401/.test(e));
      assert.deepEqual(unexpected, [], "no console errors (CSP violations included)");
    } finally {
      await browser.close();
    }
  },
});
