#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The binary's contract on bad input: one line on stderr naming the file and
# the problem, exit status 2, nothing attached or pinned.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

dict=signatures/sample-dictionary.json
subs=signatures/sample-subscribers.txt
pin=/sys/fs/bpf/haystack-test-$(uniq_id)

# expect_exit NAME STATUS PATTERN CMD...: that exit status, nothing on stdout,
# exactly one stderr line, matching PATTERN.
expect_exit() {
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
		grep -qE -- "$pattern" "$TMP/err" && [ ! -s "$TMP/out" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc" "$(cat "$TMP/err")"
	fi
}
expect_bad() { expect_exit "$1" 2 "${@:2}"; }

check cli_help_exits_0 "$HAYSTACK" --help
check cli_verb_help_exits_0 "$HAYSTACK" replay --help
check cli_help_lists_verbs bash -c "'$HAYSTACK' --help | grep -q 'haystack run' && '$HAYSTACK' --help | grep -q 'haystack replay'"
expect_bad cli_unknown_verb "unknown verb 'frobnicate'" "$HAYSTACK" frobnicate
expect_bad cli_unknown_option "replay: unrecognized option '--no-such-option'" "$HAYSTACK" replay --no-such-option
expect_bad cli_bad_bins "--bins 7h" "$HAYSTACK" replay --bins 7h --dict "$dict" --subscribers "$subs" x.pcap
expect_bad cli_bad_ports "--ports 70000" "$HAYSTACK" replay --ports 70000 --dict "$dict" --subscribers "$subs" x.pcap
for v in 0 -5 1x 4294967296; do
	expect_bad "cli_bad_sampling_$v" "--sampling" "$HAYSTACK" replay --sampling "$v" --dict "$dict" --subscribers "$subs" x.pcap
	expect_bad "cli_bad_template_timeout_$v" "--template-timeout" \
		"$HAYSTACK" replay --template-timeout "$v" --dict "$dict" --subscribers "$subs" x.pcap
done
check cli_help_names_v9_options bash -c "'$HAYSTACK' --help | grep -q -- '--records' && '$HAYSTACK' --help | grep -q -- '--sampling N' && '$HAYSTACK' --help | grep -q -- '--template-timeout'"

# Every malformed dictionary is refused with the file named, before any map exists.
for f in tests/unit/data/dict/bad-*.json; do
	name=cli_dict_$(basename "$f" .json | tr - _)
	expect_bad "$name" "$f" "$HAYSTACK" replay --dict "$f" --subscribers "$subs" /dev/null
done

printf '100.64.0.0/16\n10.0.0.1/8\n' >"$TMP/subs-bad.txt"
expect_bad cli_subscribers_bad_line "subs-bad.txt:2" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$TMP/subs-bad.txt" /dev/null
expect_bad cli_missing_capture "no-such.pcap" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$subs" "$TMP/no-such.pcap"
printf 'not a capture' >"$TMP/junk.pcap"
expect_bad cli_junk_capture "junk.pcap" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$subs" "$TMP/junk.pcap"

# A missing interface is one clear line, and leaves nothing pinned.
on_exit rm -rf "$pin"
expect_bad cli_run_missing_interface "no interface hs-no-such-if" \
	"$HAYSTACK" run --iface hs-no-such-if --pin "$pin" --dict "$dict" --subscribers "$subs"
check cli_run_missing_interface_pins_nothing test ! -e "$pin"
# A --pin DIR with no instance under it names nothing: bad input, as a
# missing file is.
expect_bad cli_status_without_instance "no haystack instance at $pin" \
	"$HAYSTACK" status --pin "$pin"
expect_bad cli_detach_missing_interface "no interface hs-no-such-if" \
	"$HAYSTACK" detach --iface hs-no-such-if --pin "$pin"
