/** The exec terminal in Chromium: xterm.js over the WebSocket to a real shell. */
import assert from "node:assert/strict";
import { startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: the terminal runs a command in the container and shows its output",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    await containers.create("term");
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/containers/bt-${containers.runId}-term`);
    await islandsReady(page);
    await page.fill('input[aria-label="Working directory"]', "/tmp");
    await page.click('.terminal-panel button[type="submit"]');
    await page.locator('[data-terminal-status="open"]').waitFor();
    // xterm draws spaces as no-break spaces, which \s matches
    // (xterm.js draws nothing while out of view; connecting scrolls the terminal into view.)
    await page.locator(".xterm-rows", { hasText: /\/tmp\s#/ }).waitFor({ timeout: 10_000 });
    await page.keyboard.type("echo $((6*7))");
    await page.keyboard.press("Enter");
    await page.locator(".xterm-rows", { hasText: /\b42\b/ }).waitFor({ timeout: 10_000 });
    assert.ok(
      !(await page.locator(".xterm-rows").innerText()).includes("bosun-pid"),
      "marker hidden",
    );
    await page.keyboard.type("exit");
    await page.keyboard.press("Enter");
    await page.locator('[role="status"]', { hasText: "The shell exited (code 0)" }).waitFor();
    assert.deepEqual(session.consoleErrors, []);
  },
});
