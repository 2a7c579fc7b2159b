#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --config FILE: a verb's options from its [VERB] section, the command line
# over the file, and every mistake anywhere in the file one line
# "FILE:LINE: ..." with exit status 2, whichever verb reads it.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

dict=$(realpath signatures/sample-dictionary.json)
subs=$(realpath signatures/sample-subscribers.txt)
cap=tests/fuzz/corpus/pcap/v5-ipfix.pcap
bin_widths() { python3 -c 'import json,sys; print(",".join(str(s) for s in sorted({json.loads(l)["bin_seconds"] for l in sys.stdin})))'; }

for c in a b; do
	printf '{"format":"haystack-signatures/1","classes":[{"name":"%s","level":"platform","parent":null,"domains":[{"name":"api.%s.example","role":"primary"}]}]}\n' \
		$c $c >"$TMP/sig-$c.json"
done
printf '192.0.2.1 api.a.example\n192.0.2.2 api.b.example\n' >"$TMP/both.hosts"
cat >"$TMP/haystack.conf" <<EOC
# every section is checked, each against its own verb
[replay]
dict = $dict
subscribers = $subs
bins = 1d
detail = true

[dict build]
signatures = $TMP/sig-a.json
signatures = $TMP/sig-b.json
hosts = $TMP/both.hosts
strict = true

[status]
pin = $TMP/no-instance
EOC

# The required options come from the file; so does --bins.
"$HAYSTACK" replay --config "$TMP/haystack.conf" "$cap" >"$TMP/r1.jsonl" 2>/dev/null
check config_gives_options test "$(bin_widths <"$TMP/r1.jsonl")" = 86400
# The command line wins over the file.
"$HAYSTACK" replay --config "$TMP/haystack.conf" --bins 1h "$cap" >"$TMP/r2.jsonl" 2>/dev/null
check config_command_line_wins test "$(bin_widths <"$TMP/r2.jsonl")" = 3600
check config_status_pin grep -q "no haystack instance at $TMP/no-instance" \
	<("$HAYSTACK" status --config "$TMP/haystack.conf" 2>&1)
check config_status_pin_overridden grep -q "no haystack instance at $TMP/other" \
	<("$HAYSTACK" status --config "$TMP/haystack.conf" --pin "$TMP/other" 2>&1)
# A list key takes one file a line and collects them all.
"$HAYSTACK" dict build --config "$TMP/haystack.conf" --day 2019-11-15 -o "$TMP/d.json" 2>/dev/null
check config_list_key_collects python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [x["name"] for x in d["domains"]] == ["api.a.example", "api.b.example"], d' "$TMP/d.json"

# expect_bad NAME PATTERN CONFIG-TEXT: status reads the file, refuses it with
# one line matching PATTERN and exit 2.
expect_bad() {
	local name=$1 pattern=$2 rc
	printf '%b' "$3" >"$TMP/bad.conf"
	"$HAYSTACK" status --config "$TMP/bad.conf" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qE -- "$pattern" "$TMP/err" &&
		[ ! -s "$TMP/out" ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc" "$(cat "$TMP/err")"
	fi
}
expect_bad config_unknown_key "bad.conf:3: \[run\] has no key 'gracee'" '[status]\n[run]\ngracee = 5\n'
expect_bad config_bad_value_other_verb "bad.conf:2: --grace 99999: expected a whole number from 0 to 86400" '[run]\ngrace = 99999\n'
expect_bad config_bad_list_value "bad.conf:2: --bins 7h: expected a list" '[run]\nbins = 7h\n'
expect_bad config_bad_bool "bad.conf:2: --keep yes: expected true or false" '[run]\nkeep = yes\n'
expect_bad config_unknown_section "bad.conf:1: \[frobnicate\]: no such verb" '[frobnicate]\n'
expect_bad config_key_outside_section "bad.conf:1: 'pin' before any \[VERB\] section" 'pin = /x\n'
expect_bad config_key_twice "bad.conf:3: 'grace' given twice in \[run\] \(first at line 2\)" '[run]\ngrace = 5\ngrace = 6\n'
expect_bad config_section_twice "bad.conf:3: \[run\] given twice \(first at line 1\)" '[run]\n[status]\n[run]\n'
expect_bad config_no_equals "bad.conf:2: expected 'key = value' or '\[VERB\]'" '[run]\ngrace\n'
expect_bad config_empty_value "bad.conf:2: 'dict' has no value" '[run]\ndict =\n'
expect_bad config_positional_not_a_key "bad.conf:2: \[replay\] has no key 'CAPTURE'" '[replay]\nCAPTURE = x.pcap\n'
expect_bad config_common_not_a_key "bad.conf:2: \[status\] has no key 'config'" '[status]\nconfig = other.conf\n'
"$HAYSTACK" status --config "$TMP/missing.conf" >/dev/null 2>"$TMP/err"
check config_missing_file_exit_2 bash -c "[ $? -eq 2 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'cannot read $TMP/missing.conf' '$TMP/err'"
