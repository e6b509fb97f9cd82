#!/usr/bin/env bash
# ./dev deploy-test: deploy/ built and run for real with Podman, the scenarios of
# tests/deploy_live (up, the README's upgrade under calls, an instance killed, the database
# stopped) run against it. Needs root (rootful Podman); installs what it needs:
#   - podman buildah debootstrap iptables runc from apt (when podman is missing);
#   - podman-compose in a venv of its own ($FRONTDOOR_DEPLOY_VENV, default .venv-deploy),
#     from scripts/deploy-test.lock, every file checked against its hash;
#   - the base images (scripts/base-images.sh: made once from Debian's packages, then cached);
#   - the image, from deploy/Containerfile as it is (podman's layer cache keeps its
#     dependency layer between runs while deploy/requirements.lock is unchanged).
# Every container, volume and network it started is removed at the end, passed or failed;
# the base images, the frontdoor:latest image and its build's layers stay, as a cache (the
# image a new build replaces is removed).
# Arguments go to pytest (e.g. -k upgrade). Called by ./dev with the project's venv ready.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${FRONTDOOR_VENV:-.venv}"
DEPLOY_VENV="${FRONTDOOR_DEPLOY_VENV:-.venv-deploy}"
PROJECT=frontdoor-deploy-test
started=$(date +%s)

if [ "$(id -u)" != 0 ]; then
  echo "./dev deploy-test runs rootful Podman: run it as root (CI does)." >&2
  exit 2
fi

if ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null ||
  ! command -v iptables >/dev/null || ! command -v runc >/dev/null; then
  echo "Installing podman, buildah, debootstrap, iptables and runc from apt…" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    podman buildah debootstrap iptables runc >/dev/null
fi

if [ ! -x "$DEPLOY_VENV/bin/podman-compose" ] ||
  [ scripts/deploy-test.lock -nt "$DEPLOY_VENV/.installed" ]; then
  echo "Setting up $DEPLOY_VENV (podman-compose) from scripts/deploy-test.lock…" >&2
  python3 -m venv --clear "$DEPLOY_VENV"
  "$DEPLOY_VENV/bin/pip" install --quiet --require-hashes --no-deps -r scripts/deploy-test.lock
  touch "$DEPLOY_VENV/.installed"
fi

# This machine's engine settings, for this command only (the host's own containers.conf is
# left alone): root cannot raise rlimits here, so the containers get lower ones than
# podman's defaults; crun refuses hybrid cgroups, runc works.
conf_dir="$(mktemp -d)"
cat >"$conf_dir/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$conf_dir/containers.conf"
export FRONTDOOR_DEPLOY_COMPOSE="$PWD/$DEPLOY_VENV/bin/podman-compose"

previous=""
cleanup() {
  local status=$?
  # The scenarios' fixture takes the deployment down; this catches an interrupted run.
  "$FRONTDOOR_DEPLOY_COMPOSE" -p "$PROJECT" -f deploy/compose.yaml \
    -f tests/deploy_live/compose.override.yaml down -v --remove-orphans >/dev/null 2>&1 || true
  mapfile -t leftovers < <(podman ps -aq --filter "label=io.podman.compose.project=$PROJECT")
  [ "${#leftovers[@]}" = 0 ] || podman rm -f "${leftovers[@]}" >/dev/null 2>&1 || true
  podman network rm -f "${PROJECT}_backend" >/dev/null 2>&1 || true
  ip link del fdlow0 >/dev/null 2>&1 || true  # the bridge port scenario 4 plugs in
  # The image this build replaced, if nothing uses it any more (its layers stay as a cache).
  if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' frontdoor:latest 2>/dev/null)" ]; then
    podman rmi "$previous" >/dev/null 2>&1 || true
  fi
  rm -rf "$conf_dir"
  echo "== deploy-test: $(($(date +%s) - started)) s in all ==" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

previous="$(podman image inspect --format '{{.Id}}' frontdoor:latest 2>/dev/null || true)"
scripts/base-images.sh
step=$(date +%s)
echo "Building frontdoor:latest from deploy/Containerfile…" >&2
podman build --quiet --format docker -f deploy/Containerfile \
  --ignorefile deploy/Containerfile.dockerignore -t frontdoor:latest . >/dev/null
echo "== image built in $(($(date +%s) - step)) s ==" >&2

step=$(date +%s)
"$VENV/bin/pytest" -p no:cacheprovider -s -o addopts="--strict-markers -ra" \
  tests/deploy_live "$@"
echo "== scenarios: $(($(date +%s) - step)) s ==" >&2
