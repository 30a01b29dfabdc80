#!/bin/bash
# Install what building and testing the module needs on Debian 12, when it is missing.
# Runs apt-get only when a package is absent; needs root for that (or sudo).
set -euo pipefail

packages=(
  build-essential autoconf automake libtool pkg-config bison python3 perl
  syslog-ng-core syslog-ng-dev libglib2.0-dev libivykis-dev libmaxminddb-dev mmdb-bin
  libcriterion-dev libmaxmind-db-writer-perl
)
[ "${ZIMBRA_AUTH_WITH_NPM:-}" ] && packages+=(npm)
[ "${ZIMBRA_AUTH_WITH_CLANG:-}" ] && packages+=(clang)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
