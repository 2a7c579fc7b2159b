#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The build an operator and a packager expect: CFLAGS, CPPFLAGS and LDFLAGS
# on the command line replace the defaults but never the include paths and
# warnings haystack needs; the defaults are Debian's hardening flags; the core
# archive needs no libbpf, libxdp or skeleton.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

# The make running this suite passes its own variables (SANITIZE=1) down.
dry() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -n -B BUILD="$TMP/b" "$@" "$TMP/b/agent/lib/log.o" "$TMP/b/haystack" 2>&1; }
given=$(dry CFLAGS="-O0 -g3" CPPFLAGS="-DHS_PACKAGER" LDFLAGS="-Wl,--as-needed")
default=$(dry)
cc_line() { grep -- '-c agent/lib/log.c' <<<"$1"; }
link_line() { grep -- "-o $TMP/b/haystack" <<<"$1"; }

check build_cflags_given_are_used grep -q -- '-O0 -g3' <<<"$(cc_line "$given")"
check build_cppflags_given_are_used grep -q -- '-DHS_PACKAGER' <<<"$(cc_line "$given")"
check build_ldflags_given_are_used grep -q -- '-Wl,--as-needed' <<<"$(link_line "$given")"
check build_given_flags_keep_include_paths grep -q -- '-Iinclude -Iagent' <<<"$(cc_line "$given")"
check build_given_flags_keep_warnings grep -q -- '-Wall -Wextra' <<<"$(cc_line "$given")"
check build_given_cflags_replace_defaults bash -c "! grep -q -- '-O2' <<<'$(cc_line "$given")'"
check build_default_fortify grep -q -- '-D_FORTIFY_SOURCE=2' <<<"$(cc_line "$default")"
check build_default_stack_protector grep -q -- '-fstack-protector-strong' <<<"$(cc_line "$default")"
check build_default_relro grep -q -- '-Wl,-z,relro' <<<"$(link_line "$default")"
check build_objects_track_their_headers grep -q -- '-MMD' <<<"$(cc_line "$default")"

# Pure code reaches no BPF library: the core archive the unit tests link
# alone has no undefined libbpf, libxdp or skeleton symbol.
core=${BUILD:-build}/libhaystack-core.a
undefined=$(nm -u "$core" 2>/dev/null | grep -E ' (bpf_|btf_|xdp_|libbpf_|libxdp_|haystack_bpf)' || true)
if [ -f "$core" ] && [ -z "$undefined" ]; then ok build_core_needs_no_bpf
else not_ok build_core_needs_no_bpf "$core: ${undefined:-missing}"; fi
