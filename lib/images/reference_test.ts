import assert from "node:assert/strict";
import {
  familiarRepository,
  formatReference,
  InvalidReferenceError,
  parseReference,
  registryHost,
} from "./reference.ts";

Deno.test("references default like the Docker CLI", () => {
  const cases: [string, string][] = [
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.27", "docker.io/library/nginx:1.27"],
    ["linuxserver/plex", "docker.io/linuxserver/plex:latest"],
    ["index.docker.io/library/redis:7", "docker.io/library/redis:7"],
    [
      "ghcr.io/home-assistant/home-assistant:stable",
      "ghcr.io/home-assistant/home-assistant:stable",
    ],
    ["localhost:5000/app", "localhost:5000/app:latest"],
    ["localhost/app:v1", "localhost/app:v1"],
    ["127.0.0.1:5000/team/app:v2", "127.0.0.1:5000/team/app:v2"],
  ];
  for (const [input, full] of cases) assert.equal(formatReference(parseReference(input)), full);
  assert.equal(familiarRepository(parseReference("nginx")), "nginx");
  assert.equal(familiarRepository(parseReference("localhost:5000/app")), "localhost:5000/app");
  assert.equal(registryHost(parseReference("nginx")), "registry-1.docker.io");
});

Deno.test("digest-pinned references keep their digest and have no default tag", () => {
  const digest = `sha256:${"a".repeat(64)}`;
  const pinned = parseReference(`nginx@${digest}`);
  assert.equal(pinned.digest, digest);
  assert.equal(pinned.tag, undefined);
  const both = parseReference(`nginx:1.27@${digest}`);
  assert.equal(both.tag, "1.27");
  assert.equal(both.digest, digest);
});

Deno.test("malformed references are refused", () => {
  for (const bad of ["", "UPPER/case", "a b", "nginx:", "nginx@sha256:xyz", "a//b", "-x"]) {
    assert.throws(() => parseReference(bad), InvalidReferenceError, bad);
  }
});
