#!/usr/bin/env bash
# Installs everything k8ts needs on a Debian 12 machine, as root, idempotently:
# the Debian packages of ARCHITECTURE.md (etcd, containerd, runc, CNI plugins, haproxy, ...)
# and the npm dependencies (npm ci, skipped when node_modules already matches the lockfile),
# then compiles src/ to dist/ (bin/k8ts.js runs it while it is newer than every source file:
# each process k8ts starts loads in about half the time of the TypeScript sources).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(etcd-server etcd-client containerd runc containernetworking-plugins haproxy
  busybox-static iproute2 jq gcc libc6-dev python3-kubernetes)

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (it installs Debian packages)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[install] Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts services from postinst where it can; k8ts runs etcd and containerd itself.
for svc in etcd containerd haproxy; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.k8ts-lock-sha256 ] || [ "$(cat node_modules/.k8ts-lock-sha256)" != "$lock_sum" ]; then
  echo "[install] npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.k8ts-lock-sha256
fi
echo "[install] npm run build"
npm run build --silent
echo "[install] done: $(etcd --version | head -1), $(containerd --version | cut -d' ' -f3), node $(node --version)"
