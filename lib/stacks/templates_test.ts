import assert from "node:assert/strict";
import { parseCompose, parseEnvFile } from "./compose.ts";
import { templateEnv, TEMPLATES } from "./templates.ts";

Deno.test("every template parses once its placeholders are filled", () => {
  assert.ok(TEMPLATES.length >= 12);
  for (const t of TEMPLATES) {
    const env = templateEnv(t, { POSTGRES_PASSWORD: "pw with space" }, {
      root: "/mnt/appdata",
      stack: t.id,
    });
    const spec = parseCompose(t.compose, parseEnvFile(env));
    assert.equal(spec.services.length, 1, t.id);
    assert.deepEqual(spec.warnings, [], t.id);
    const mounts = spec.services[0].volumes.map((v) => v.source ?? "");
    assert.ok(mounts.every((m) => m.startsWith("/mnt/appdata/")), `${t.id}: ${mounts}`);
  }
  const pg = TEMPLATES.find((t) => t.id === "postgres")!;
  const env = parseEnvFile(
    templateEnv(pg, { POSTGRES_PASSWORD: 'a "b" $c' }, { root: "/r", stack: "db" }),
  );
  assert.equal(env.POSTGRES_PASSWORD, 'a "b" $c');
});
