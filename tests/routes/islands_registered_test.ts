/** Every island a page renders is registered with the hydration boot script. */
import assert from "node:assert/strict";

Deno.test("every <Island name=…> used by a page is in islands/_boot.ts", async () => {
  const root = new URL("../../", import.meta.url);
  const boot = await Deno.readTextFile(new URL("islands/_boot.ts", root));
  const registered = new Set([...boot.matchAll(/^\s+(\w+): \(\) => import\(/gm)].map((m) => m[1]));
  const used = new Set<string>();
  for await (const e of Deno.readDir(new URL("routes/pages/", root))) {
    if (!e.name.endsWith(".tsx")) continue;
    const text = await Deno.readTextFile(new URL(`routes/pages/${e.name}`, root));
    for (const m of text.matchAll(/<Island\s+name="(\w+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size >= 10, `found ${used.size} islands in pages`);
  for (const name of used) assert.ok(registered.has(name), `${name} is not registered`);
});
