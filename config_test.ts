import assert from "node:assert/strict";
import { ConfigError, helpText, loadConfig, OPTIONS, parseDuration } from "./config.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("loadConfig() takes flags over environment over defaults", () => {
  const defaults = loadConfig([], env({}));
  assert.equal(defaults.port, 8420);
  assert.equal(defaults.dataDir, "./data");
  assert.equal(defaults.dockerHost, "unix:///var/run/docker.sock");
  assert.equal(defaults.sessionIdle, 8 * 3_600_000);
  const fromEnv = loadConfig([], env({ BOSUN_PORT: "9000", DOCKER_HOST: "tcp://10.0.0.2:2376" }));
  assert.equal(fromEnv.port, 9000);
  assert.equal(fromEnv.dockerHost, "tcp://10.0.0.2:2376");
  const fromFlag = loadConfig(["--port", "9100"], env({ BOSUN_PORT: "9000" }));
  assert.equal(fromFlag.port, 9100);
  assert.equal(loadConfig(["--binary"], env({})).dataDir, "/var/lib/bosun");
  assert.equal(loadConfig(["--binary"], env({ BOSUN_DATA_DIR: "/data" })).dataDir, "/data");
  assert.deepEqual(
    loadConfig([], env({ BOSUN_TRUSTED_PROXIES: "10.0.0.1, 10.0.0.2" })).trustedProxies,
    ["10.0.0.1", "10.0.0.2"],
  );
  assert.equal(loadConfig(["--force-https"], env({})).forceHttps, true);
  assert.equal(loadConfig([], env({ BOSUN_FORCE_HTTPS: "true" })).forceHttps, true);
});

Deno.test("loadConfig() refuses bad values naming the option", () => {
  assert.throws(() => loadConfig(["--port", "99999"], env({})), /Invalid --port/);
  assert.throws(() => loadConfig(["--session-idle", "soon"], env({})), /Invalid --session-idle/);
  assert.throws(() => loadConfig(["--docker-host", "http://x"], env({})), /unix:\/\/ or tcp:\/\//);
  assert.throws(() => loadConfig(["--tls", "files"], env({})), /--tls-cert and --tls-key/);
  assert.throws(() => loadConfig(["--no-such-flag"], env({})), ConfigError);
  assert.throws(() => loadConfig(["frobnicate"], env({})), /Unknown command "frobnicate"/);
});

Deno.test("loadConfig() recognises sub-commands", () => {
  assert.equal(loadConfig(["reset-password"], env({})).command, "reset-password");
  assert.equal(loadConfig(["--help"], env({})).command, "help");
  assert.equal(loadConfig([], env({ BOSUN_ADMIN_PASSWORD: "x" })).adminPassword, "x");
});

Deno.test("parseDuration() reads units and refuses nonsense", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30"), 30_000);
  assert.equal(parseDuration("5m"), 300_000);
  assert.equal(parseDuration("1.5h"), 5_400_000);
  assert.equal(parseDuration("7d"), 604_800_000);
  assert.equal(parseDuration("-1s"), undefined);
  assert.equal(parseDuration("1 week"), undefined);
});

Deno.test("helpText() lists every option with its variable", () => {
  const text = helpText();
  for (const spec of Object.values(OPTIONS)) {
    assert.ok(text.includes(`--${spec.flag}`), spec.flag);
    if (spec.env) assert.ok(text.includes(spec.env), spec.env);
  }
});
