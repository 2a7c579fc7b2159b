#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package haystack needs to build, test and run its demo.
# Idempotent and non-interactive: packages already present are left alone.
set -euo pipefail

pkgs=(
	# build
	make gcc clang llvm pkg-config libc6-dev linux-libc-dev
	# make SANITIZE=1 and make fuzz: clang's sanitizer and libFuzzer runtimes
	libclang-rt-14-dev
	libbpf-dev libxdp-dev bpftool
	libjson-c-dev libpcap-dev libnl-3-dev libnl-route-3-dev libpsl-dev
	# the Public Suffix List libpsl reads when it is newer than its built-in one
	publicsuffix
	# tests and demo
	libcmocka-dev iproute2 xdp-tools softflowd nfdump tcpreplay tcpdump
	python3
	# make install's test: systemd-analyze verify on the units, the unit's
	# capabilities through setpriv (util-linux) and capsh, the man page
	systemd util-linux libcap2-bin man-db
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root (sudo $0)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: installed ${missing[*]}" >&2
