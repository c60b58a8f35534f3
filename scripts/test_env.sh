#!/usr/bin/env bash
# Brings up what the test suite needs on a fresh Debian machine, idempotently:
# the native Deno binary, a real Docker engine, the offline busybox test image and
# Chromium. Sourced by scripts/test.sh; prints what it does on stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO_VERSION="2.9.6"
TOOLS="$ROOT/.tools"
log() { echo "[test-env] $*" >&2; }

apt_updated=""
apt_install() {
  if [ "$(id -u)" != "0" ]; then
    log "missing packages ($*) and not root: install them and re-run"; exit 1
  fi
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Deno: the native binary from the npm package (the npm wrapper adds a Node process).
ensure_deno() {
  local native="$TOOLS/node_modules/@deno/linux-x64-glibc/deno"
  if [ "$(uname -m)" = "aarch64" ]; then native="$TOOLS/node_modules/@deno/linux-arm64-glibc/deno"; fi
  if [ ! -x "$native" ] || ! "$native" --version | grep -q "deno $DENO_VERSION"; then
    log "installing deno@$DENO_VERSION from npm into .tools/"
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && [ -f package.json ] || echo '{"private":true}' > "$TOOLS/package.json")
    (cd "$TOOLS" && npm install --no-audit --no-fund --silent "deno@$DENO_VERSION" >/dev/null)
  fi
  export DENO="$native"
  export PATH="$(dirname "$native"):$PATH"
}

docker_ping() { curl -sf --unix-socket /var/run/docker.sock http://docker/_ping >/dev/null 2>&1; }

ensure_docker() {
  command -v dockerd >/dev/null || { log "installing docker.io"; apt_install docker.io; }
  command -v curl >/dev/null || apt_install curl
  if ! docker_ping; then
    log "starting dockerd"
    mkdir -p /var/log
    nohup dockerd --storage-driver=vfs >/var/log/bosun-test-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker_ping && break; sleep 0.5; done
    docker_ping || { log "dockerd did not answer /_ping; see /var/log/bosun-test-dockerd.log"; tail -20 /var/log/bosun-test-dockerd.log >&2; exit 1; }
  fi
}

# The offline test image: busybox-static plus its applet links, imported as an image.
ensure_test_image() {
  if docker image inspect bosun-test/busybox:latest >/dev/null 2>&1; then return; fi
  dpkg -s busybox-static >/dev/null 2>&1 || { log "installing busybox-static"; apt_install busybox-static; }
  log "building bosun-test/busybox:latest offline"
  local dir; dir="$(mktemp -d)"
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/data"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = "busybox" ] || ln -sf busybox "$dir/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
  tar -C "$dir" -c . | docker import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - bosun-test/busybox:latest >/dev/null
  rm -rf "$dir"
}

ensure_chromium() {
  command -v chromium >/dev/null || { log "installing chromium"; apt_install chromium; }
}

# Peers some tests use: zstd (a backup checked with no Bosun), iproute2 and nsenter (the
# second engine's network namespace), docker-registry and htpasswd (image updates).
ensure_tools() {
  command -v zstd >/dev/null || { log "installing zstd"; apt_install zstd; }
  command -v ip >/dev/null || { log "installing iproute2"; apt_install iproute2; }
  command -v nsenter >/dev/null || { log "installing util-linux"; apt_install util-linux; }
  # A real registry for update tests, and htpasswd for its authenticated instance.
  command -v docker-registry >/dev/null || { log "installing docker-registry"; apt_install docker-registry; }
  command -v htpasswd >/dev/null || { log "installing apache2-utils"; apt_install apache2-utils; }
}

ensure_deno
ensure_docker
ensure_test_image
ensure_chromium
ensure_tools
