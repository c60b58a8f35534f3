import assert from "node:assert/strict";
import { containerIdFromMountinfo, detectSelfContainerId } from "./self.ts";

const ID = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f";

Deno.test("containerIdFromMountinfo() finds the id from the hostname bind mount", () => {
  const inContainer = [
    "612 540 0:120 / / rw,relatime master:297 - overlay overlay rw",
    `640 612 259:1 /var/lib/docker/containers/${ID}/resolv.conf /etc/resolv.conf rw - ext4 /dev/root rw`,
    `641 612 259:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/root rw`,
  ].join("\n");
  assert.equal(containerIdFromMountinfo(inContainer), ID);
  assert.equal(containerIdFromMountinfo("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"), undefined);
});

Deno.test("detectSelfContainerId() is undefined when mountinfo cannot be read", async () => {
  assert.equal(await detectSelfContainerId(() => Promise.reject(new Error("denied"))), undefined);
  assert.equal(
    await detectSelfContainerId(() =>
      Promise.resolve(`1 1 0:1 /containers/${ID}/hostname /etc/hostname rw\n`)
    ),
    ID,
  );
});
