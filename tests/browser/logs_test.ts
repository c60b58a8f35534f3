/** Logs in Chromium: hostile output shown as text, live lines, search, ANSI colours. */
import assert from "node:assert/strict";
import { startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

const HOSTILE = "<img src=x onerror=alert(1)>";

Deno.test({
  name: "browser: hostile names and logs stay text; logs follow live with colours and search",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const script = `echo '${HOSTILE}'; printf '\\033[31mred alert\\033[0m\\n'; ` +
      "i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.3; done";
    await containers.create("hostile", {
      args: ["--label", `note=${HOSTILE}`, "-e", `GREETING=${HOSTILE}`],
      command: ["sh", "-c", script],
    });
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/containers/bt-${containers.runId}-hostile`);
    await islandsReady(page);
    await page.locator('[data-log-status="live"]').waitFor();
    await page.locator(".log-line", { hasText: "tick3" }).waitFor({ timeout: 10_000 });

    const logText = await page.locator(".log-lines").innerText();
    assert.ok(logText.includes(HOSTILE), "the hostile line is shown literally");
    assert.equal(await page.locator(".log-lines img").count(), 0, "no element was injected");
    assert.equal(await page.locator("img").count(), 0);
    const red = page.locator(".log-line .fg-1", { hasText: "red alert" });
    assert.equal(await red.count(), 1, "ANSI red rendered as a class");
    assert.ok(!logText.includes("\x1b"), "escape codes removed");
    assert.ok((await page.locator("body").innerText()).includes(`note`));
    assert.ok((await page.content()).includes("&lt;img src=x onerror=alert(1)&gt;"));

    await page.fill('input[aria-label="Search logs"]', "red alert");
    assert.equal(await page.locator(".log-line").count(), 1);
    await page.fill('input[aria-label="Search logs"]', "");

    const download = page.locator('a:has-text("Download")');
    assert.match(await download.getAttribute("href") ?? "", /\/logs\/download/);

    assert.deepEqual(session.dialogs, [], "no dialog fired");
    assert.deepEqual(session.consoleErrors, [], "no CSP violation or script error");
  },
});
