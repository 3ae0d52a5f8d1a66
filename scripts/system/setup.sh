#!/usr/bin/env bash
# Prepares a machine for `npm run test:system` (the proof tier): real podman +
# runc enforcement and AppArmor in a qemu guest. Needs root and Debian's apt.
# Idempotent: a second run on the same machine installs nothing and reuses the
# cached base image; a fresh machine gets everything from apt.
#
#   1. apt: podman runc seccomp catatonit auditd apparmor shellcheck debootstrap
#      qemu-system-x86 cpio (only the missing ones)
#   2. /etc/containers/containers.conf: ulimits within this VM's hard limits,
#      runc, cgroupfs, file event log (podman's defaults fail here)
#   3. the local Python base image + offline wheelhouse (base-image.sh)
#   4. the qemu AppArmor guest (guest/prepare.sh), built in parallel with step 3
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PYCONFINE_SYSTEM_CACHE:-/var/cache/pyconfine-system}
export PYCONFINE_SYSTEM_CACHE=$CACHE
PACKAGES=(podman runc seccomp catatonit auditd apparmor shellcheck debootstrap qemu-system-x86 cpio)
CONF=/etc/containers/containers.conf
MARK='# Written by pyconfine scripts/system/setup.sh'

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

install_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != 'install ok installed' ]; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    log "packages present: ${PACKAGES[*]}"
    return 0
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # With recommends: podman's network stack (netavark, aardvark-dns,
  # iptables), slirp4netns and catatonit come that way, as the tier was proven.
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}" >/dev/null
}

# The hard limits of this VM kind (nofile 20000) are below podman's rootful
# defaults, crun rejects the hybrid cgroup layout, and there is no systemd.
write_containers_conf() {
  local nofile nproc want
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  [ "$nproc" = unlimited ] && nproc=4096
  [ "$nofile" -gt 20000 ] && nofile=20000
  [ "$nproc" -gt 4096 ] && nproc=4096
  want=$(cat <<EOF
$MARK
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
)
  if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$want" ]; then
    log "$CONF up to date"
    return 0
  fi
  if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
    cp "$CONF" "$CONF.before-pyconfine"
    log "kept the previous $CONF as $CONF.before-pyconfine"
  fi
  mkdir -p "$(dirname "$CONF")"
  printf '%s\n' "$want" >"$CONF.tmp"
  mv "$CONF.tmp" "$CONF"
  log "wrote $CONF"
}

check_podman() {
  podman run --rm --pull=never --network none "docker.io/library/python:3.12-slim" true \
    || die "podman cannot run a container with $CONF"
}

main() {
  local t0=$SECONDS
  [ "$(id -u)" -eq 0 ] || die "the system tier needs root (apt, podman, debootstrap, auditd)"
  mkdir -p "$CACHE"
  # Start of the tier: the test summary prints the wall time since this stamp.
  date +%s >"$CACHE/tier-started-at"
  install_packages
  write_containers_conf
  # The guest's kernel + rootfs and the base image are independent: build both at once.
  local guest_pid='' guest_log=$CACHE/guest-prepare.log
  if [ -f "$HERE/guest/prepare.sh" ]; then
    bash "$HERE/guest/prepare.sh" >"$guest_log" 2>&1 &
    guest_pid=$!
  fi
  bash "$HERE/base-image.sh"
  check_podman
  if [ -n "$guest_pid" ]; then
    if ! wait "$guest_pid"; then
      tail -n 40 "$guest_log" >&2
      die "preparing the AppArmor guest failed (log: $guest_log)"
    fi
    log "AppArmor guest ready ($(tail -n 1 "$guest_log"))"
  fi
  log "ready in $((SECONDS - t0)) s (cache: $CACHE)"
}

main "$@"
