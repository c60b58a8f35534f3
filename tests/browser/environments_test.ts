/** Environment tags in Chromium: badges, the typed name for a PRD stop, editing a tag. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: a PRD container is stopped only after its name is typed; tags are edited",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const prd = `bt-${containers.runId}-prd`;
    const other = `bt-${containers.runId}-other`;
    await containers.create("prd", { args: ["-l", "bosun.environment=PRD"] });
    await containers.create("other");
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/containers`);
    await islandsReady(page);
    assert.equal(
      await page.locator(`tr[data-container="${prd}"] [data-environment]`).innerText(),
      "PRD",
    );

    await page.goto(`${bosun.url}/containers/${prd}`);
    await islandsReady(page);
    // A wrong name first: nothing happens.
    session.promptAnswers.push("not-the-name");
    await page.click('button[data-action="stop"]');
    await page.locator('[role="alert"]', { hasText: /tagged PRD/ }).waitFor();
    assert.equal((await docker("inspect", "-f", "{{.State.Status}}", prd)).trim(), "running");
    session.promptAnswers.push(prd);
    await page.click('button[data-action="stop"]');
    await page.locator("[data-live-state]", { hasText: "exited" }).waitFor({ timeout: 20_000 });
    assert.ok(session.dialogs.some((d) => d.startsWith("prompt:") && d.includes("tagged PRD")));

    await page.goto(`${bosun.url}/containers/${other}`);
    await islandsReady(page);
    await page.selectOption('form[aria-label="Environment tag"] select[name="environment"]', "UAT");
    await page.fill('form[aria-label="Environment tag"] input[name="description"]', "the test one");
    await page.click('form[aria-label="Environment tag"] button[type="submit"]');
    await page.locator('[data-environment="UAT"]').waitFor({ timeout: 20_000 });
    const labels = JSON.parse(await docker("inspect", other))[0].Config.Labels;
    assert.equal(labels["bosun.environment"], "UAT");
    assert.equal(labels["bosun.description"], "the test one");
    // 428 (asked for the name) and 404 (the recreated container's old id) are expected.
    assert.deepEqual(session.consoleErrors.filter((e) => !/status of (428|404)/.test(e)), []);
  },
});
