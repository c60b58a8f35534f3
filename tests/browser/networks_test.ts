/** The Networks page in Chromium: the sizing wizard, reservations, connect, IP map, filter link. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: a network is sized, created, reserved in, connected to and filtered by",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const name = `bt-${containers.runId}-ui`;
    const member = `bt-${containers.runId}-member`;
    await containers.create("member");
    await containers.create("other");
    try {
      await using session = await signedInBrowser(bosun);
      const { page } = session;
      await page.goto(`${bosun.url}/networks`);
      await islandsReady(page);
      await page.click(".wizard summary");
      await page.fill('.wizard input[name="containers"]', "10");
      await page.click("button[data-size]");
      assert.equal(await page.locator("[data-recommended]").innerText(), "/28");
      const subnet = await page.inputValue(
        'form[aria-label="Create a network"] input[name="subnet"]',
      );
      assert.match(subnet, /\/28$/);
      await page.fill('form[aria-label="Create a network"] input[name="name"]', name);
      await page.click('form[aria-label="Create a network"] button[type="submit"]');
      const row = page.locator(`tr[data-network="${name}"]`);
      await row.waitFor();
      assert.match(await row.innerText(), new RegExp(subnet.replace(/[./]/g, "\\$&")));

      await row.locator("button[data-manage]").click();
      const manage = page.locator(`[data-manage-network="${name}"]`);
      const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
      const last = Number(subnet.split("/")[0].split(".")[3]);
      await manage.locator('form[aria-label="Reserve a range"] input[name="name"]').fill("Web");
      await manage.locator('form[aria-label="Reserve a range"] input[name="start"]').fill(
        `${base}.${last + 4}`,
      );
      await manage.locator('form[aria-label="Reserve a range"] input[name="end"]').fill(
        `${base}.${last + 6}`,
      );
      await manage.locator('form[aria-label="Reserve a range"] button').click();
      await manage.locator('[data-reservation="Web"]').waitFor();
      await manage.locator('form[aria-label="Connect a container"] select[name="container"]')
        .selectOption(member);
      await manage.locator('form[aria-label="Connect a container"] select[name="mode"]')
        .selectOption("reservation");
      await manage.locator('form[aria-label="Connect a container"] select[name="reservation"]')
        .selectOption({ label: "Web" });
      await manage.locator('form[aria-label="Connect a container"] button').click();
      const ip = `${base}.${last + 4}`;
      await manage.locator(`[data-ipmap] [data-ip="${ip}"][data-state="used"]`).waitFor();
      const inspect = JSON.parse(await docker("inspect", member))[0];
      assert.equal(inspect.NetworkSettings.Networks[name].IPAddress, ip);
      assert.equal(
        await page.locator(`[data-ipmap] [data-ip="${base}.${last + 5}"]`).getAttribute(
          "data-state",
        ),
        "reserved",
      );

      // "show" filters the containers page to this network's members.
      await row.locator('[data-counts] a:has-text("show")').click();
      await page.waitForURL(/\/containers\?network=/);
      await islandsReady(page);
      const names = await page.locator("tbody tr").allInnerTexts();
      assert.ok(names.some((t) => t.includes(member)), names.join("\n"));
      assert.ok(!names.some((t) => t.includes(`bt-${containers.runId}-other`)), "filtered");
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await docker("rm", "-f", member).catch(() => {});
      await docker("network", "rm", name).catch(() => {});
    }
  },
});
