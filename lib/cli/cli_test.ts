import assert from "node:assert/strict";
import { commandLine, containerAction, networkConnect, runCommand, shellQuote } from "./cli.ts";

Deno.test("shell quoting: safe words bare, everything else single-quoted", () => {
  assert.equal(shellQuote("nginx:1.27"), "nginx:1.27");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("it's"), `'it'"'"'s'`);
  assert.equal(shellQuote("$HOME"), "'$HOME'");
  assert.equal(shellQuote("a\nb"), "'a\nb'");
  assert.equal(shellQuote("x;rm -rf /"), "'x;rm -rf /'");
  assert.equal(commandLine(["docker", "rename", "a", "b c"]), "docker rename a 'b c'");
});

Deno.test("docker run in the three modes (golden)", () => {
  const body = {
    Image: "nginx:1.27",
    Env: ["TZ=Europe/Paris", `MOTD=it's "quoted" $HOME\nline 2`],
    Labels: { "bosun.environment": "DEV" },
    Cmd: ["nginx", "-g", "daemon off;"],
    HostConfig: {
      PortBindings: {
        "80/tcp": [{ HostIp: "127.0.0.1", HostPort: "8080" }],
        "53/udp": [{ HostPort: "5353" }],
      },
      Binds: ["/srv/site:/usr/share/nginx/html:ro"],
      Mounts: [{ Type: "volume", Source: "cache", Target: "/var/cache/nginx" }],
      RestartPolicy: { Name: "unless-stopped" },
      NetworkMode: "web",
      Memory: 512 * 1024 * 1024,
      NanoCpus: 5e8,
      PidsLimit: 100,
      SecurityOpt: ["no-new-privileges"],
      LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "3" } },
    },
    NetworkingConfig: {
      EndpointsConfig: { web: { IPAMConfig: { IPv4Address: "172.30.0.10" }, Aliases: ["www"] } },
    },
    Healthcheck: { Test: ["CMD-SHELL", "curl -f localhost"], Interval: 30e9, Retries: 3 },
  };
  assert.equal(
    runCommand("web", body, "simple"),
    "docker run -d --name web -e TZ=Europe/Paris -e 'MOTD=it'\"'\"'s \"quoted\" $HOME\nline 2' " +
      "-l bosun.environment=DEV -p 127.0.0.1:8080:80 -p 5353:53/udp " +
      "-v /srv/site:/usr/share/nginx/html:ro -v cache:/var/cache/nginx --restart unless-stopped " +
      "--network web --ip 172.30.0.10 --network-alias www --memory 512m --cpus 0.5 " +
      "--pids-limit 100 --security-opt no-new-privileges --log-driver json-file " +
      "--log-opt max-size=10m --log-opt max-file=3 --health-cmd 'curl -f localhost' " +
      "--health-interval 30s --health-retries 3 nginx:1.27 nginx -g 'daemon off;'",
  );
  const multi = runCommand("web", body, "intermediate");
  assert.ok(multi.startsWith("docker run \\\n  -d \\\n  --name web \\\n"));
  assert.ok(multi.endsWith("  nginx:1.27 nginx -g 'daemon off;'"));
  const script = runCommand("web", body, "advanced", [{ name: "web", subnet: "172.30.0.0/24" }]);
  assert.match(script, /^#!\/usr\/bin\/env bash\n/);
  assert.match(script, /set -euo pipefail/);
  assert.match(
    script,
    /docker network inspect web >\/dev\/null 2>&1 \|\| docker network create --subnet 172\.30\.0\.0\/24 web/,
  );
  assert.match(script, /docker stop "\$NAME"/);
  assert.match(script, /\[ "\$state" != running \]/);
  assert.equal(containerAction("web", "stop", { t: 5 }), "docker stop -t 5 web");
  assert.equal(containerAction("web", "kill", { signal: "SIGHUP" }), "docker kill -s SIGHUP web");
  assert.equal(
    networkConnect("lan", "web", "10.0.0.5", ["a"]),
    "docker network connect --ip 10.0.0.5 --alias a lan web",
  );
});
