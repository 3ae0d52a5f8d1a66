#!/usr/bin/env bash
# Boots the AppArmor guest once and prints its serial console on stdout.
#
#   scripts/system/guest/run.sh STAGE_DIR
#
# STAGE_DIR holds cases.json plus the files it names (profiles, app trees); it
# is packed, with init.sh and driver.py, into a second cpio under
# /pyconfine-guest and appended to the cached rootfs (see prepare.sh). Emulated
# with TCG (the /dev/kvm of this machine kind hangs stock kernels) and always
# under `timeout`. Exit status: qemu's (0 after the guest powers off), 124 on
# timeout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${PYCONFINE_GUEST_CACHE:-/var/cache/pyconfine-system/guest}
TIMEOUT=${PYCONFINE_GUEST_TIMEOUT:-300}
MEMORY=${PYCONFINE_GUEST_MEMORY:-2048}

stage=${1:?usage: run.sh STAGE_DIR}
[ -f "$stage/cases.json" ] || { echo "run.sh: $stage/cases.json missing" >&2; exit 2; }
for f in vmlinuz rootfs.cpio.gz; do
  [ -s "$CACHE/$f" ] || { echo "run.sh: $CACHE/$f missing; run scripts/system/guest/prepare.sh" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
overlay=$work/overlay/pyconfine-guest
mkdir -p "$overlay"
cp -a "$stage"/. "$overlay"/
install -m 0755 "$here/init.sh" "$overlay/init.sh"
install -m 0644 "$here/driver.py" "$overlay/driver.py"
(cd "$work/overlay" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
  gzip -1 >"$work/run.cpio.gz"
# The kernel unpacks concatenated (separately compressed) cpio archives in order.
cat "$CACHE/rootfs.cpio.gz" "$work/run.cpio.gz" >"$work/initrd"

status=0
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
  -accel tcg -m "$MEMORY" -smp 2 \
  -nodefaults -no-user-config -display none -no-reboot \
  -serial stdio \
  -kernel "$CACHE/vmlinuz" -initrd "$work/initrd" \
  -append "console=ttyS0 panic=-1 loglevel=1 apparmor=1 security=apparmor rdinit=/pyconfine-guest/init.sh" \
  </dev/null || status=$?
exit "$status"
