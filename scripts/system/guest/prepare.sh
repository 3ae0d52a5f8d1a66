#!/usr/bin/env bash
# Prepares the AppArmor guest used by test/system/apparmor.test.ts:
#   - installs qemu-system-x86, debootstrap, cpio and apparmor when missing;
#   - fetches the current Debian 6.1 kernel package (resolved through the
#     linux-image-amd64 metapackage, never hard-coded) and keeps only vmlinuz;
#   - debootstraps a minimal bookworm rootfs with apparmor, python3, Flask,
#     Django, FastAPI, gunicorn and uvicorn, adds a /opt/venv laid out like the
#     generated images' virtualenv, and packs it as a gzip'd newc cpio that is
#     booted whole as the initramfs (run.sh appends the per-run files).
# Everything is cached under $PYCONFINE_GUEST_CACHE (default
# /var/cache/pyconfine-system/guest). Idempotent: the kernel is fetched again
# only when the metapackage points elsewhere, the rootfs is rebuilt only when
# this script changes. Needs root and Debian's apt. Prints the cache directory
# on its last line.
set -euo pipefail

CACHE=${PYCONFINE_GUEST_CACHE:-/var/cache/pyconfine-system/guest}
SUITE=bookworm
# The rootfs reproduces the generated image's runtime: the apps' frameworks and
# servers, plus apparmor_parser and aa-exec to load and enter the profile.
PACKAGES=(apparmor python3 python3-flask python3-django python3-fastapi gunicorn uvicorn)

log() { printf 'guest-prepare: %s\n' "$*" >&2; }
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; }

if [ "$(id -u)" -ne 0 ]; then
  log "needs root (apt-get, debootstrap, chroot)"
  exit 1
fi

# 1. Host tools.
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v cpio >/dev/null || need+=(cpio)
command -v apparmor_parser >/dev/null || need+=(apparmor)
updated=0
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  apt_get update -qq
  updated=1
  apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
rm -rf "$CACHE"/.build.* # left behind by an interrupted run

work=$(mktemp -d "$CACHE/.build.XXXXXX")
chmod 0755 "$work" # apt-get download drops privileges to _apt
cleanup() {
  umount -l "$work/root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start=$SECONDS

# 2. Kernel, keyed by the package the metapackage depends on right now.
resolve_kernel() {
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
  kver=$( [ -n "$kpkg" ] && apt-cache policy "$kpkg" | awk '$1 == "Candidate:" { print $2; exit }')
  [ -n "$kpkg" ] && [ -n "$kver" ] && [ "$kver" != "(none)" ]
}
download_kernel() {
  rm -f "$work"/*.deb
  (cd "$work" && apt_get download -qq "$kpkg=$kver" >/dev/null 2>&1)
}
resolve_kernel || { [ "$updated" = 1 ] || { apt_get update -qq; updated=1; }; resolve_kernel; } || {
  log "cannot resolve the kernel behind linux-image-amd64"
  exit 1
}
if [ -s "$CACHE/vmlinuz" ] && [ "$(cat "$CACHE/kernel-version" 2>/dev/null)" = "$kpkg $kver" ]; then
  log "kernel cached: $kpkg $kver"
else
  log "downloading $kpkg $kver"
  if ! download_kernel; then
    # Stale package lists name a version the mirror no longer has.
    [ "$updated" = 1 ] || { apt_get update -qq; updated=1; }
    if ! { resolve_kernel && download_kernel; }; then
      log "cannot download $kpkg"
      exit 1
    fi
  fi
  mkdir -p "$work/kernel"
  dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work/kernel" --wildcards './boot/vmlinuz-*'
  install -m 0644 "$work"/kernel/boot/vmlinuz-* "$CACHE/vmlinuz.new"
  mv -f "$CACHE/vmlinuz.new" "$CACHE/vmlinuz"
  printf '%s %s\n' "$kpkg" "$kver" >"$CACHE/kernel-version"
fi

# 3. Rootfs, keyed by this script (package list and layout live here).
key=$( { cat "${BASH_SOURCE[0]}"; printf '%s\n' "$SUITE" "${PACKAGES[@]}"; } | sha256sum | cut -c1-16)
if [ -s "$CACHE/rootfs.cpio.gz" ] && [ "$(cat "$CACHE/rootfs-key" 2>/dev/null)" = "$key" ]; then
  log "rootfs cached (key $key)"
  echo "$CACHE"
  exit 0
fi

mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
log "debootstrap $SUITE from $mirror"
pkgs=$(IFS=,; echo "${PACKAGES[*]}")
debootstrap --variant=minbase --include="$pkgs" "$SUITE" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

# The generated images run `<venv>/bin/gunicorn` / `<venv>/bin/uvicorn` from a
# venv whose python is a symlink to the base interpreter. Recreate that: a venv
# that sees the system packages, plus console scripts shaped like pip's (the
# Debian packages install theirs in /usr/bin, not in the venv).
chroot "$work/root" /usr/bin/python3 -m venv --system-site-packages --without-pip /opt/venv
write_entry() { # name module function
  cat >"$work/root/opt/venv/bin/$1" <<PY
#!/opt/venv/bin/python
import sys
from $2 import $3
if __name__ == "__main__":
    sys.exit($3())
PY
  chmod 0755 "$work/root/opt/venv/bin/$1"
}
write_entry gunicorn gunicorn.app.wsgiapp run
write_entry uvicorn uvicorn.main main
for tool in gunicorn uvicorn; do
  chroot "$work/root" "/opt/venv/bin/$tool" --version >/dev/null 2>&1 || {
    log "/opt/venv/bin/$tool does not run in the rootfs"
    exit 1
  }
done
chroot "$work/root" /opt/venv/bin/python -c 'import flask, django, fastapi, gunicorn, uvicorn' || {
  log "frameworks missing from the rootfs"
  exit 1
}

# Mount points the guest init uses; drop what only costs unpack time.
mkdir -p "$work/root/sys/kernel/security" "$work/root/proc" "$work/root/dev" "$work/root/run"
rm -rf "$work/root"/usr/share/{doc,man,info,locale,lintian,linda} \
       "$work/root"/var/cache/apt/* "$work/root"/var/lib/apt/lists/* \
       "$work/root"/var/cache/debconf/*-old "$work/root"/var/log/*
# Translation catalogs are most of the files (and of the guest's unpack time):
# keep English only; the scaffolded apps never switch language.
dj="$work/root/usr/lib/python3/dist-packages/django"
find "$work/root/usr/lib/python3/dist-packages" -name '*.po' -delete
for dir in "$dj"/conf/locale/*/LC_MESSAGES "$dj"/contrib/*/locale/*/LC_MESSAGES; do
  case "$dir" in */en/LC_MESSAGES) ;; *) rm -rf "$dir" ;; esac
done

log "packing rootfs"
(cd "$work/root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) |
  gzip -1 >"$CACHE/rootfs.cpio.gz.new"
mv -f "$CACHE/rootfs.cpio.gz.new" "$CACHE/rootfs.cpio.gz"
echo "$key" >"$CACHE/rootfs-key"
log "ready in $((SECONDS - start)) s: $(du -h "$CACHE/rootfs.cpio.gz" | cut -f1) rootfs, $kpkg $kver"
echo "$CACHE"
