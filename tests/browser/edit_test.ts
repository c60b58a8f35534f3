/** Editing a container in Chromium: the form recreates it; masked secrets stay as they were. */
import assert from "node:assert/strict";
import { docker, startBosun, TestContainers } from "../_harness.ts";
import { islandsReady, signedInBrowser } from "./_browser.ts";

Deno.test({
  name: "browser: a container's environment and restart policy are edited; its secret survives",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await using bosun = await startBosun();
    await using containers = new TestContainers();
    const name = `bt-${containers.runId}-edit`;
    await containers.create("edit", {
      args: ["-e", "DB_PASSWORD=hunter2", "-e", "MODE=old"],
      command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"],
    });
    await using session = await signedInBrowser(bosun);
    const { page } = session;
    await page.goto(`${bosun.url}/containers/${name}`);
    await islandsReady(page);
    await page.click("a[data-edit]");
    await page.waitForURL(/\/edit$/);
    await islandsReady(page);
    const form = page.locator('form[aria-label="Edit the container"]');
    const env = await form.locator('textarea[name="env"]').inputValue();
    assert.match(env, /DB_PASSWORD=••••••/, "the secret is shown masked");
    assert.ok(!env.includes("hunter2"));
    await form.locator('textarea[name="env"]').fill(
      env.replace("MODE=old", "MODE=new") + "\nADDED=yes",
    );
    await form.locator('select[name="restart"]').selectOption("unless-stopped");
    await form.locator('button[type="submit"]').click();
    await page.waitForURL(new RegExp(`/containers/${name}$`));
    // The container is briefly renamed aside while its replacement is made.
    for (let i = 0; i < 50; i++) {
      const e = await docker("inspect", name).then((t) => JSON.parse(t)[0].Config.Env as string[])
        .catch((): string[] => []);
      if (e.includes("ADDED=yes")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const i = JSON.parse(await docker("inspect", name))[0];
    assert.ok(i.Config.Env.includes("MODE=new"));
    assert.ok(i.Config.Env.includes("ADDED=yes"));
    assert.ok(i.Config.Env.includes("DB_PASSWORD=hunter2"), "the masked secret kept its value");
    assert.equal(i.HostConfig.RestartPolicy.Name, "unless-stopped");
    assert.equal(i.State.Status, "running");
  },
});
