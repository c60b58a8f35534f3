import assert from "node:assert/strict";
import type { ContainerInspect } from "../docker/containers.ts";
import { planCreate } from "./recreate.ts";

const ID = "abcdef0123456789".padEnd(64, "0");
const inspect = {
  Id: ID,
  Name: "/web",
  State: { Status: "running" },
  Config: {
    Hostname: ID.slice(0, 12),
    Image: "nginx:1",
    Env: ["A=1"],
    Labels: { app: "web" },
    Healthcheck: { Test: ["CMD", "true"] },
    Volumes: { "/data": {} },
  },
  HostConfig: { NetworkMode: "front", RestartPolicy: { Name: "always" }, Binds: ["/srv:/srv"] },
  Mounts: [
    { Type: "bind", Source: "/srv", Destination: "/srv", RW: true },
    { Type: "volume", Name: "f00d".repeat(16), Destination: "/data", RW: true },
  ],
  NetworkSettings: {
    Networks: {
      back: { IPAMConfig: { IPv4Address: "10.1.0.20" }, Aliases: ["db-client", ID.slice(0, 12)] },
      front: { IPAMConfig: { IPv4Address: "10.0.0.10" }, Aliases: ["web"] },
    },
  },
} as unknown as ContainerInspect;

Deno.test("planCreate() below API 1.44 creates on one network and connects the rest after", () => {
  const plan = planCreate(inspect, "1.41");
  const endpoints = (plan.body.NetworkingConfig as { EndpointsConfig: Record<string, unknown> })
    .EndpointsConfig;
  assert.deepEqual(Object.keys(endpoints), ["front"], "the NetworkMode network first");
  assert.deepEqual(endpoints.front, { IPAMConfig: { IPv4Address: "10.0.0.10" }, Aliases: ["web"] });
  assert.deepEqual(plan.connectAfter, [{
    network: "back",
    endpoint: { IPAMConfig: { IPv4Address: "10.1.0.20" }, Aliases: ["db-client"] },
  }]);
});

Deno.test("planCreate() from API 1.44 puts every network in the create call", () => {
  const plan = planCreate(inspect, "1.44");
  const endpoints = (plan.body.NetworkingConfig as { EndpointsConfig: Record<string, unknown> })
    .EndpointsConfig;
  assert.deepEqual(Object.keys(endpoints).sort(), ["back", "front"]);
  assert.deepEqual(plan.connectAfter, []);
});

Deno.test("planCreate() copies the configuration, applies changes, keeps anonymous volumes", () => {
  const plan = planCreate(inspect, "1.41", {
    image: "nginx:2",
    hostConfig: { Memory: 1024 },
  });
  const body = plan.body as Record<string, unknown> & { HostConfig: Record<string, unknown> };
  assert.equal(body.Image, "nginx:2");
  assert.equal(body.Hostname, undefined, "the engine's default host name is not copied");
  assert.deepEqual(body.Env, ["A=1"]);
  assert.deepEqual(body.Healthcheck, { Test: ["CMD", "true"] });
  assert.deepEqual(body.HostConfig.RestartPolicy, { Name: "always" });
  assert.equal(body.HostConfig.Memory, 1024);
  assert.deepEqual(body.HostConfig.Mounts, [
    { Type: "volume", Source: "f00d".repeat(16), Target: "/data", ReadOnly: false },
  ]);
});

Deno.test("planCreate() joins no networks for host or container network modes", () => {
  const host = { ...inspect, HostConfig: { NetworkMode: "host" } } as unknown as ContainerInspect;
  const plan = planCreate(host, "1.44");
  assert.equal(plan.body.NetworkingConfig, undefined);
  assert.deepEqual(plan.connectAfter, []);
});
