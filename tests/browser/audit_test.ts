/** The audit log page in Chromium: counts, filters, paging, clearing with a typed confirmation. */
import assert from "node:assert/strict";
import { startBosun } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: the audit log filters by operation and target and clears only when typed",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/settings`);
    await islandsReady(page);
    await page.locator('select[name="hostEnvironment"]').selectOption("UAT");
    await page.locator('form.settings-form button[type="submit"]').click();
    await page.locator('form.settings-form [role="status"]', { hasText: "Saved" }).waitFor();

    await page.goto(`${bosun.url}/audit`);
    await islandsReady(page);
    await page.locator('tr[data-audit="auth.setup"]').waitFor();
    assert.ok(Number(await page.locator('[data-stat="total"]').innerText()) >= 3);
    const filter = page.locator('form[aria-label="Filter the audit log"]');
    await filter.locator('select[aria-label="Operation"]').selectOption("settings.");
    await filter.locator('button[type="submit"]').click();
    await page.locator('tr[data-audit="auth.setup"]').waitFor({ state: "detached" });
    assert.equal(await page.locator('tr[data-audit="settings.update"]').count(), 1);
    await filter.locator('select[aria-label="Operation"]').selectOption("");
    await filter.locator('input[aria-label="Container or file"]').fill("no-such-target");
    await filter.locator('button[type="submit"]').click();
    await page.locator("text=Nothing recorded matches.").waitFor();

    session.promptAnswers.push("no");
    await page.click('button:has-text("Clear")');
    await page.locator('[role="alert"]').waitFor();
    await filter.locator('input[aria-label="Container or file"]').fill("");
    session.promptAnswers.push("clear the audit log");
    await page.click('button:has-text("Clear")');
    await page.locator('tr[data-audit="audit.clear"]').waitFor();
    assert.equal(await page.locator("tr[data-audit]").count(), 1, "only the clearing remains");
    assert.deepEqual(
      session.consoleErrors.filter((e) => !/status of 400/.test(e)),
      [],
    );
  },
});
