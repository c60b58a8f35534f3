import assert from "node:assert/strict";
import { parse } from "yaml";
import {
  ComposeError,
  durationNs,
  interpolate,
  parseCompose,
  parseEnvFile,
  shellWords,
} from "./compose.ts";
import { convertRun } from "./converter.ts";

Deno.test("compose: a full service normalises; unsupported keys warn with their line", () => {
  const text = `services:
  web:
    image: nginx:\${TAG:-1.27}
    ports: ["127.0.0.1:8080:80", "443/udp", {target: 9000, published: 9001}]
    environment: [A=1, "B=two words"]
    volumes: [data:/data, ./conf:/etc/conf:ro, /srv:/srv]
    networks: {front: {ipv4_address: 172.30.0.10, aliases: [www]}}
    depends_on: {db: {condition: service_healthy}}
    healthcheck: {test: "wget -q -O- localhost", interval: 1m30s, retries: 3}
    mem_limit: 512m
    deploy: {resources: {limits: {cpus: "0.5"}}}
    extra_hosts: {host.docker.internal: host-gateway}
    build: .
  db:
    image: postgres
    environment: {POSTGRES_PASSWORD: $PASS}
volumes: {data: {}}
networks: {front: {ipam: {config: [{subnet: 172.30.0.0/24}]}}}
`;
  const p = parseCompose(text, { PASS: "s3cret" });
  const web = p.services.find((s) => s.name === "web")!;
  assert.equal(web.image, "nginx:1.27");
  assert.deepEqual(web.ports, [
    { hostIp: "127.0.0.1", published: 8080, target: 80, protocol: "tcp" },
    { hostIp: undefined, published: undefined, target: 443, protocol: "udp" },
    { target: 9000, published: 9001, hostIp: undefined, protocol: "tcp" },
  ]);
  assert.deepEqual(web.environment, { A: "1", B: "two words" });
  assert.deepEqual(web.volumes.map((v) => [v.type, v.source, v.readOnly]), [
    ["volume", "data", false],
    ["bind", "./conf", true],
    ["bind", "/srv", false],
  ]);
  assert.deepEqual(web.networks, [{ name: "front", ipv4Address: "172.30.0.10", aliases: ["www"] }]);
  assert.deepEqual(web.dependsOn, [{ service: "db", condition: "service_healthy" }]);
  assert.deepEqual(web.healthcheck, {
    test: ["CMD-SHELL", "wget -q -O- localhost"],
    interval: 90e9,
    timeout: undefined,
    retries: 3,
    startPeriod: undefined,
  });
  assert.equal(web.memoryBytes, 512 * 1024 ** 2);
  assert.equal(web.nanoCpus, 0.5e9);
  assert.deepEqual(web.extraHosts, ["host.docker.internal:host-gateway"]);
  assert.equal(p.services.find((s) => s.name === "db")!.environment.POSTGRES_PASSWORD, "s3cret");
  assert.deepEqual(p.warnings.map((w) => [w.path, w.line]), [["services.web.build", 13]]);
});

Deno.test("compose: errors carry line numbers; cycles and unknown references are refused", () => {
  const cases: [string, RegExp][] = [
    ["services:\n  a:\n    image: x\n   bad indent: [", /line \d/],
    ["services:\n  a:\n    ports: [nope]\n", /line 2: .*image|line 3: .*not a port|image/],
    ["services:\n  a:\n    image: x\n    depends_on: [b]\n", /unknown service "b"/],
    ["services:\n  a:\n    image: x\n    networks: [n]\n", /undeclared network "n"/],
    [
      "services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n",
      /cycle: a → b → a|cycle/,
    ],
    ["services: []\n", /mapping/],
    ["services:\n  a: {image: x}\n  a: {image: y}\n", /line \d.*unique|unique/i],
  ];
  for (const [text, re] of cases) {
    const err = (() => {
      try {
        parseCompose(text);
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof ComposeError, `${text} → ${err}`);
    assert.match((err as Error).message, re, text);
  }
});

Deno.test("interpolation, .env, durations and shell words", () => {
  const env = parseEnvFile("# c\nA=1\nB=\"two\\nlines\"\nC='$x'\nexport D=4 # note\n");
  assert.deepEqual(env, { A: "1", B: "two\nlines", C: "$x", D: "4" });
  assert.equal(interpolate("$A-${B:-z}-${E:-def}-${F-}-$$", { A: "a", B: "" }), "a-z-def--$");
  assert.equal(durationNs("1m30s"), 90e9);
  assert.throws(() => durationNs("90"), /duration/);
  assert.deepEqual(shellWords(`sh -c 'echo "hi there"' a\\ b "x\\"y"`), [
    "sh",
    "-c",
    'echo "hi there"',
    "a b",
    'x"y',
  ]);
});

Deno.test("docker run → compose: the common flags, unknown ones reported", () => {
  const r = convertRun(
    `docker run -d --name plex -p 32400:32400 -p 127.0.0.1:8080:80/udp -v plexdata:/config ` +
      `-v /mnt/media:/media:ro -e TZ=Europe/Paris -e "PLEX_CLAIM=claim token" --env-file ./plex.env ` +
      `--network lan --ip 192.168.5.10 --restart unless-stopped -l app=plex --user 1000:1000 ` +
      `-w /srv --cap-add NET_ADMIN --cap-drop ALL -m 1g --cpus 1.5 --health-cmd "curl -f localhost" ` +
      `--health-interval 30s --privileged --device /dev/dri:/dev/dri lscr.io/linuxserver/plex:latest --verbose`,
  );
  const doc = parse(r.yaml) as {
    services: Record<string, Record<string, unknown>>;
    volumes: unknown;
    networks: unknown;
  };
  const s = doc.services.plex;
  assert.equal(r.service, "plex");
  assert.equal(s.image, "lscr.io/linuxserver/plex:latest");
  assert.deepEqual(s.ports, ["32400:32400", "127.0.0.1:8080:80/udp"]);
  assert.deepEqual(s.volumes, ["plexdata:/config", "/mnt/media:/media:ro"]);
  assert.deepEqual(s.environment, { TZ: "Europe/Paris", PLEX_CLAIM: "claim token" });
  assert.deepEqual(s.env_file, ["./plex.env"]);
  assert.deepEqual(s.networks, { lan: { ipv4_address: "192.168.5.10" } });
  assert.deepEqual(doc.networks, { lan: { external: true } });
  assert.deepEqual(doc.volumes, { plexdata: {} });
  assert.equal(s.restart, "unless-stopped");
  assert.deepEqual(s.labels, { app: "plex" });
  assert.equal(s.user, "1000:1000");
  assert.equal(s.working_dir, "/srv");
  assert.deepEqual([s.cap_add, s.cap_drop, s.mem_limit, s.cpus], [
    ["NET_ADMIN"],
    ["ALL"],
    "1g",
    1.5,
  ]);
  assert.deepEqual(s.healthcheck, { test: ["CMD-SHELL", "curl -f localhost"], interval: "30s" });
  assert.deepEqual(s.command, ["--verbose"]);
  assert.ok(r.warnings.some((w) => w.startsWith("--privileged")), r.warnings.join());
  assert.ok(r.warnings.some((w) => w.startsWith("--device")), r.warnings.join());
  assert.throws(() => convertRun("podman run x"), /starts with docker run/);
  assert.throws(() => convertRun("docker ps"), /Only docker run/);
  assert.throws(() => convertRun("docker run -d"), /No image/);
  assert.throws(() => convertRun("docker run 'unterminated"), /unterminated/);
});
