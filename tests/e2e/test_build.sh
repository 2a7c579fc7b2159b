#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The build an operator and a packager expect: CFLAGS, CPPFLAGS and LDFLAGS
# on the command line replace the defaults but never the include paths and
# warnings haystack needs; the defaults are Debian's hardening flags; the core
# archive needs no libbpf, libxdp or skeleton.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

# A clean environment: the make running this suite exports its own variables
# (SANITIZE=1, an operator's CFLAGS) to it.
dry() { env -i PATH="$PATH" make -s -n -B BUILD="$TMP/b" "$@" "$TMP/b/agent/lib/log.o" "$TMP/b/haystack" 2>&1; }
given=$(dry CFLAGS="-O0 -g3" CPPFLAGS="-DHS_PACKAGER" LDFLAGS="-Wl,--as-needed")
default=$(dry)
cc_line() { grep -- '-c agent/lib/log.c' <<<"$1"; }
link_line() { grep -- "-o $TMP/b/haystack " <<<"$1"; }
# has FLAG LINE: shows the line when FLAG is not in it
has() { grep -q -- "$1" <<<"$2" || { echo "no $1 in: $2"; return 1; }; }

check build_cflags_given_are_used has '-O0 -g3' "$(cc_line "$given")"
check build_cppflags_given_are_used has '-DHS_PACKAGER' "$(cc_line "$given")"
check build_ldflags_given_are_used has '-Wl,--as-needed' "$(link_line "$given")"
check build_given_flags_keep_include_paths has '-Iinclude -Iagent' "$(cc_line "$given")"
check build_given_flags_keep_warnings has '-Wall -Wextra' "$(cc_line "$given")"
check build_given_cflags_replace_defaults bash -c "! grep -q -- '-O2' <<<'$(cc_line "$given")'"
check build_default_fortify has '-D_FORTIFY_SOURCE=2' "$(cc_line "$default")"
check build_default_stack_protector has '-fstack-protector-strong' "$(cc_line "$default")"
check build_default_relro has '-Wl,-z,relro' "$(link_line "$default")"
check build_objects_track_their_headers has '-MMD' "$(cc_line "$default")"

# Pure code reaches no BPF library: the core archive the unit tests link
# alone has no undefined libbpf, libxdp or skeleton symbol.
core=${BUILD:-build}/libhaystack-core.a
undefined=$(nm -u "$core" 2>/dev/null | grep -E ' (bpf_|btf_|xdp_|libbpf_|libxdp_|haystack_bpf)' || true)
if [ -f "$core" ] && [ -z "$undefined" ]; then ok build_core_needs_no_bpf
else not_ok build_core_needs_no_bpf "$core: ${undefined:-missing}"; fi
