import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { profileFor } from "../host/hardware.ts";
import {
  findFreeSubnet,
  intToIp,
  ipMap,
  ipToInt,
  nextFree,
  overlaps,
  parseCidr,
  recommendPrefix,
} from "./ipam.ts";

Deno.test("addresses and blocks parse and print; misaligned blocks are refused with a hint", () => {
  assert.equal(intToIp(ipToInt("172.20.3.4")), "172.20.3.4");
  assert.equal(ipToInt("255.255.255.255"), 2 ** 32 - 1);
  assert.deepEqual(parseCidr("172.20.0.0/24"), {
    base: ipToInt("172.20.0.0"),
    prefix: 24,
    size: 256,
  });
  assert.throws(() => parseCidr("172.20.0.5/24"), /did you mean 172\.20\.0\.0\/24/);
  for (const bad of ["172.20.0.0", "300.1.1.1/24", "10.0.0.0/4", "10.0.0.0/31", "x/24"]) {
    assert.throws(() => parseCidr(bad), ValidationError, bad);
  }
});

Deno.test("recommendation: the smallest block for containers × IPs × (1 + buffer)", () => {
  assert.equal(recommendPrefix(4, 1, 0.25).prefix, 29); // 5 needed, /29 has 5 usable
  assert.equal(recommendPrefix(5, 1, 0.25).prefix, 28); // 7 needed
  assert.equal(recommendPrefix(50, 1, 0.25).prefix, 25); // 63 needed; /26 has only 61
  const r = recommendPrefix(50, 1, 0.25);
  assert.ok(r.table.find((t) => t.prefix === r.prefix)!.usable >= r.needed);
  assert.ok(
    r.table.find((t) => t.prefix === r.prefix + 1)!.usable < r.needed,
    "smallest that fits",
  );
  assert.equal(recommendPrefix(100_000).prefix, 16, "capped at /16");
});

Deno.test("overlap and free subnet search", () => {
  assert.ok(overlaps(parseCidr("172.20.0.0/16"), parseCidr("172.20.5.0/24")));
  assert.ok(!overlaps(parseCidr("172.20.0.0/24"), parseCidr("172.20.1.0/24")));
  const taken = [parseCidr("172.20.0.0/24"), parseCidr("172.20.1.0/26")];
  const free = findFreeSubnet(26, taken);
  assert.equal(intToIp(free.base), "172.20.1.64");
});

Deno.test("next free address skips gateway, used and reserved; or stays inside a reservation", () => {
  const c = parseCidr("10.9.0.0/28");
  const web = { id: 1, name: "Web", color: "#f00", start: "10.9.0.2", end: "10.9.0.4" };
  const used = new Set([ipToInt("10.9.0.5")]);
  assert.equal(nextFree(c, { used, reservations: [web] }), "10.9.0.6");
  assert.equal(nextFree(c, { used, reservations: [web], within: web }), "10.9.0.2");
  const full = new Set([2, 3, 4].map((n) => ipToInt(`10.9.0.${n}`)));
  assert.equal(nextFree(c, { used: full, reservations: [web], within: web }), undefined);
  const map = ipMap(c, { used: new Map([[ipToInt("10.9.0.5"), "db"]]), reservations: [web] });
  assert.equal(map.length, 16);
  assert.deepEqual(map.slice(0, 6).map((m) => m.state), [
    "network",
    "gateway",
    "reserved",
    "reserved",
    "reserved",
    "used",
  ]);
  assert.equal(map[5].label, "db");
  assert.equal(map[15].state, "broadcast");
});

Deno.test("hardware profiles by Pi hint, cores and memory", () => {
  const GiB = 2 ** 30;
  assert.equal(profileFor({ cores: 4, memoryBytes: 8 * GiB, piHint: "Raspberry Pi 5" }), "PI");
  assert.equal(profileFor({ cores: 2, memoryBytes: 24 * GiB }), "LOW");
  assert.equal(profileFor({ cores: 8, memoryBytes: 2 * GiB }), "LOW");
  assert.equal(profileFor({ cores: 4, memoryBytes: 32 * GiB }), "MEDIUM");
  assert.equal(profileFor({ cores: 8, memoryBytes: 32 * GiB }), "HIGH");
  assert.equal(profileFor({ cores: 32, memoryBytes: 128 * GiB }), "ENTERPRISE");
});
