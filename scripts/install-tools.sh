#!/usr/bin/env bash
# Installs the command-line tools the `tools` test tier runs for real:
# scmp_sys_resolver (seccomp), apparmor_parser (apparmor), shellcheck, yamllint.
# Needs root and Debian's apt. Idempotent: does nothing when all are present.
set -euo pipefail
need=()
command -v scmp_sys_resolver >/dev/null || need+=(seccomp)
command -v apparmor_parser >/dev/null || need+=(apparmor)
command -v shellcheck >/dev/null || need+=(shellcheck)
command -v yamllint >/dev/null || need+=(yamllint)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-tools: missing ${need[*]}; run as root (apt-get) or install them first" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-tools: scmp_sys_resolver apparmor_parser shellcheck yamllint ready"
