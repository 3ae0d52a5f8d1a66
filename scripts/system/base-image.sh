#!/usr/bin/env bash
# Builds the Python base image the system tests use instead of Docker Hub's
# python:3.X-slim (the test machines cannot reach any container registry).
#
#   debootstrap --variant=minbase bookworm  (python3, venv, pip, `python`)
#   + /wheelhouse: Debian's Flask/Django/FastAPI/gunicorn/uvicorn re-packed as wheels
#   + /etc/pip.conf: no-index, find-links=/wheelhouse
#   → podman import → tagged docker.io/library/python:{3.10,3.11,3.12,3.13}-slim
#
# Python inside is Debian bookworm's 3.11 whatever the tag says: the tags only
# let an unmodified generated Dockerfile (`FROM python:3.12-slim`) build offline.
#
# Cached in $PYCONFINE_SYSTEM_CACHE (default /var/cache/pyconfine-system) as a
# tarball keyed by the content of this script and wheelhouse.py: a second run
# re-imports the tarball (or does nothing when the image is present).
set -euo pipefail

CACHE=${PYCONFINE_SYSTEM_CACHE:-/var/cache/pyconfine-system}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE=bookworm
TAGS=(3.10 3.11 3.12 3.13)
# Runtime tools the base needs beyond Python: passwd (groupadd/useradd in the
# generated runtime stage), tzdata (Debian's pytz reads /usr/share/zoneinfo).
INCLUDE=python3,python3-venv,python3-pip,python-is-python3,passwd,tzdata,ca-certificates
# Debian packages re-packed as wheels (see wheelhouse.py for the dependency table).
WHEEL_DEBS=(
  python3-flask python3-werkzeug python3-jinja2 python3-markupsafe python3-itsdangerous
  python3-click python3-gunicorn python3-django python3-asgiref python3-sqlparse python3-tz
  python3-fastapi python3-starlette python3-pydantic python3-anyio python3-sniffio python3-idna
  python3-typing-extensions python3-uvicorn python3-h11 python3-packaging
)
# Requirements every framework's generated app may use; checked in the built image.
VERIFY_REQS=('flask>=2.2' 'gunicorn>=20.1' 'django>=3.2' 'fastapi>=0.92' 'uvicorn>=0.17')

log() { printf 'base-image: %s\n' "$*"; }
die() { printf 'base-image: error: %s\n' "$*" >&2; exit 1; }

KEY=$(cat "$HERE/base-image.sh" "$HERE/wheelhouse.py" | sha256sum | cut -c1-16)
IMAGE=localhost/pyconfine-python-base:$KEY
TARBALL=$CACHE/python-base-$KEY.tar

image_ok() {
  podman image exists "$IMAGE" || return 1
  local want got tag
  want=$(podman image inspect --format '{{.Id}}' "$IMAGE")
  for tag in "${TAGS[@]}"; do
    got=$(podman image inspect --format '{{.Id}}' "docker.io/library/python:$tag-slim" 2>/dev/null) || return 1
    [ "$got" = "$want" ] || return 1
  done
}

mirror() {
  local uri
  uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list)
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

build_tarball() {
  local work=$CACHE/build rootfs debs stage mirror_uri t0
  rootfs=$work/rootfs
  debs=$work/debs
  t0=$SECONDS
  rm -rf "$work"
  mkdir -p "$rootfs" "$debs"
  mirror_uri=$(mirror)

  log "debootstrap --variant=minbase $SUITE from $mirror_uri"
  debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$rootfs" "$mirror_uri" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  log "debootstrap done in $((SECONDS - t0)) s"

  # apt-get download uses the host's package lists; refresh them once if a
  # package is unknown or its file has vanished from the mirror.
  chown _apt "$debs" 2>/dev/null || true
  if ! (cd "$debs" && apt-get download -qq "${WHEEL_DEBS[@]}" >/dev/null 2>&1); then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    (cd "$debs" && apt-get download -qq "${WHEEL_DEBS[@]}" >/dev/null) || die "apt-get download failed"
  fi

  stage=$rootfs/tmp/pyconfine-stage
  mkdir -p "$stage" "$rootfs/wheelhouse"
  local deb name
  for deb in "$debs"/*.deb; do
    name=$(dpkg-deb -f "$deb" Package)
    dpkg -x "$deb" "$stage/$name"
  done
  cp "$HERE/wheelhouse.py" "$rootfs/tmp/wheelhouse.py"
  # Build the wheels with the image's own Python so compiled ones get its tag.
  chroot "$rootfs" python3 /tmp/wheelhouse.py /tmp/pyconfine-stage /wheelhouse
  # setuptools (gunicorn 20 imports pkg_resources) and pip, as Debian ships them for venvs.
  cp "$rootfs"/usr/share/python-wheels/setuptools-*.whl "$rootfs"/usr/share/python-wheels/pip-*.whl \
    "$rootfs/wheelhouse/"
  chmod 0644 "$rootfs"/wheelhouse/*.whl

  cat >"$rootfs/etc/pip.conf" <<'EOF'
# Offline wheelhouse of the pyconfine system tests (no package index here).
[global]
no-index = true
find-links = /wheelhouse
EOF

  # Strip what a slim image does not carry.
  rm -rf "$rootfs"/tmp/* "$rootfs"/var/tmp/* \
    "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
    "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old
  mkdir -p "$rootfs/var/lib/apt/lists/partial"

  tar --numeric-owner -C "$rootfs" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$work"
  log "rootfs tarball $(du -h "$TARBALL" | cut -f1) in $((SECONDS - t0)) s"
}

import_image() {
  local id
  podman import -q \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    --change "LABEL org.pyconfine.base-key=$KEY" \
    --message "pyconfine system-test base ($SUITE, Python 3.11)" \
    "$TARBALL" "$IMAGE" >/dev/null
  for tag in "${TAGS[@]}"; do
    podman tag "$IMAGE" "docker.io/library/python:$tag-slim"
  done
  id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
  log "imported $IMAGE (${id:0:12})"
}

verify_image() {
  # The wheelhouse must satisfy every framework's requirements offline, the
  # compiled MarkupSafe speedups must load, and the console scripts must exist.
  podman run --rm --network none --pull=never "docker.io/library/python:3.12-slim" sh -ec "
    python -m venv /tmp/v
    /tmp/v/bin/pip install -q --disable-pip-version-check $(printf "'%s' " "${VERIFY_REQS[@]}")
    /tmp/v/bin/python -c 'import flask, django, fastapi, uvicorn, gunicorn, pydantic, markupsafe._speedups'
    test -x /tmp/v/bin/gunicorn && test -x /tmp/v/bin/uvicorn && test -x /tmp/v/bin/django-admin
    getent passwd root >/dev/null && command -v groupadd useradd >/dev/null
  " || die "the imported image cannot install the frameworks offline"
}

main() {
  local t0=$SECONDS
  [ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, podman)"
  mkdir -p "$CACHE"
  if image_ok; then
    log "cached image $IMAGE is tagged python:{$(IFS=,; echo "${TAGS[*]}")}-slim (Python 3.11)"
    return 0
  fi
  if [ -f "$TARBALL" ]; then
    log "re-importing cached $TARBALL"
  else
    build_tarball
  fi
  import_image
  verify_image
  # Drop tarballs and images of older keys.
  find "$CACHE" -maxdepth 1 -name 'python-base-*.tar' ! -name "python-base-$KEY.tar" -delete
  podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/pyconfine-python-base:' \
    | grep -v ":$KEY\$" | xargs -r podman rmi -f >/dev/null 2>&1 || true
  log "python:{$(IFS=,; echo "${TAGS[*]}")}-slim ready in $((SECONDS - t0)) s — Python inside is Debian's 3.11"
}

main "$@"
