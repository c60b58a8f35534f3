/** Island loading in Chromium when the network drops a chunk request. */
import assert from "node:assert/strict";
import { docker, startBosun, TEST_IMAGE } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

const HOST_METER = "/static/islands/HostMeter.js";

Deno.test({
  name: "browser: an island chunk aborted in flight is fetched again; one that never loads says so",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await using bosun = await startBosun();
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    const requested: string[] = [];

    await t.step("the first requests abort; the retry under a new query hydrates", async () => {
      // Every request for the chunk by its plain URL (the modulepreload and the import) is
      // aborted as a network change would; only the boot script's retry URL gets through.
      await page.route((url) => url.pathname === HOST_METER, (route) => {
        const url = new URL(route.request().url());
        requested.push(url.search);
        return url.searchParams.has("retry")
          ? route.continue()
          : route.abort("internetdisconnected");
      });
      await page.goto(`${bosun.url}/containers`);
      await islandsReady(page);
      await page.locator("[data-host-meter]").waitFor();
      assert.ok(requested.includes(""), `plain URL requested: ${requested}`);
      assert.ok(requested.some((q) => q.startsWith("?retry=")), `retried: ${requested}`);
      assert.equal(await page.locator("[data-island-failed]").count(), 0);
      await page.unroute((url) => url.pathname === HOST_METER);
    });

    await t.step("a chunk that never loads leaves a notice; the other islands work", async () => {
      await page.unrouteAll();
      requested.length = 0;
      await page.route((url) => url.pathname === HOST_METER, (route) => {
        requested.push(new URL(route.request().url()).search);
        return route.abort("internetdisconnected");
      });
      await page.goto(`${bosun.url}/containers`);
      const notice = page.locator('[data-island="HostMeter"] [data-island-failed]');
      await notice.waitFor({ timeout: 10_000 });
      assert.match(await notice.innerText(), /did not load/);
      assert.equal(requested.filter((q) => q.startsWith("?retry=")).length, 2, `${requested}`);
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLElement>("[data-island]")]
          .filter((e) => e.dataset.island !== "HostMeter").every((e) => e.dataset.hydrated)
      );
      assert.ok(
        session.consoleErrors.some((e) => e.includes("Island HostMeter: could not load")),
        session.consoleErrors.join("\n"),
      );
      // Reload with the network back: the page works again.
      await page.unrouteAll();
      session.consoleErrors.length = 0;
      await notice.locator("button", { hasText: "Reload" }).click();
      await page.waitForLoadState();
      await islandsReady(page);
      await page.locator("[data-host-meter]").waitFor();
      assert.equal(await page.locator("[data-island-failed]").count(), 0);
    });

    await t.step("a list refresh aborted in flight is asked again; the action is not", async () => {
      await page.unrouteAll();
      await page.goto(`${bosun.url}/images`);
      await islandsReady(page);
      const calls: string[] = [];
      await page.route((url) => url.pathname.startsWith("/api/images"), (route) => {
        const method = route.request().method();
        calls.push(`${method} ${new URL(route.request().url()).pathname}`);
        return method === "GET" && calls.filter((c) => c.startsWith("GET")).length === 1
          ? route.abort("internetdisconnected")
          : route.continue();
      });
      const tag = `bosun-test/boot-${crypto.randomUUID().slice(0, 8)}:copy`;
      try {
        session.promptAnswers.push(tag);
        await page.locator("tr", { has: page.locator(`code:text-is("${TEST_IMAGE}")`) })
          .locator("button", { hasText: "Tag" }).click();
        await page.locator(`code:text-is("${tag}")`).waitFor({ timeout: 10_000 });
        assert.equal(calls.filter((c) => c === "GET /api/images").length, 2, `${calls}`);
        assert.equal(calls.filter((c) => c.startsWith("POST")).length, 1, `${calls}`);
        assert.equal(await page.locator('[role="alert"]').count(), 0);
      } finally {
        await docker("rmi", tag).catch(() => undefined);
      }
    });
  },
});
