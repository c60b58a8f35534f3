import assert from "node:assert/strict";
import { SecretBox } from "./secret_box.ts";

Deno.test("SecretBox creates a 0600 key, round-trips and detects tampering", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const box = await SecretBox.open(`${dir}/config/secret.key`);
    assert.equal((await Deno.stat(`${dir}/config/secret.key`)).mode! & 0o777, 0o600);
    const sealed = await box.encrypt("s3-secret-key");
    assert.ok(!sealed.includes("s3-secret-key"));
    assert.notEqual(sealed, await box.encrypt("s3-secret-key"), "random IV");
    assert.equal(await box.decrypt(sealed), "s3-secret-key");
    const reopened = await SecretBox.open(`${dir}/config/secret.key`);
    assert.equal(await reopened.decrypt(sealed), "s3-secret-key", "same key after restart");
    const flipped = sealed.slice(0, -4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
    await assert.rejects(box.decrypt(flipped), /altered or made with another key/);
    const otherDir = await Deno.makeTempDir();
    const other = await SecretBox.open(`${otherDir}/secret.key`);
    await assert.rejects(other.decrypt(sealed), /another key/);
    await Deno.remove(otherDir, { recursive: true });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SecretBox refuses a key it cannot use, never falling back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/short.key`, new Uint8Array(5));
    await assert.rejects(SecretBox.open(`${dir}/short.key`), /not 32 bytes/);
    await Deno.mkdir(`${dir}/dir.key`);
    await assert.rejects(SecretBox.open(`${dir}/dir.key`), /Cannot read the secret key/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
