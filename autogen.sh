#!/bin/sh
# Regenerate the build system: configure, Makefile.in and the libtool/automake helpers.
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf --force --install
