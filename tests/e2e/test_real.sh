#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Captures from real exporters (../shared/fixtures/real/): every one through
# `haystack replay --records`, the records and their sampling rates equal, as
# a multiset, to what a correct collector decodes from it.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

REAL=$SHARED/fixtures/real
# What haystack does not decode yet, each with the reason: these are skipped
# by name until the feature lands, then removed from this list.
declare -A NOT_YET=(
	[ic_example_flows]="export datagrams over 3,500 octets are not replayed yet"
)

if [ ! -f "$REAL/ports.txt" ]; then
	for n in ak_ipfix_physicalinterfaces ak_v9_cisco_opts_tpl_data ak_v9_multisampling \
		ic_example_flows ls_ipfix_procera ls_ipfix_yaf ls_nf9_h3c ls_nf9_h3c_varstring \
		pm_104_00 pm_106_00 pm_401_01 pm_500_00; do
		skip "real_$n" "needs $REAL (the shared captures from real exporters)"
	done
	exit 0
fi

while read -r capture port; do
	case $capture in \#*|"") continue ;; esac
	n=${capture%.pcap}
	if [ -n "${NOT_YET[$n]:-}" ]; then
		skip "real_$n" "${NOT_YET[$n]}"
		continue
	fi
	"$HAYSTACK" replay --records --ports "$port" --dict "$REAL/dictionary.json" \
		--subscribers "$REAL/subscribers.txt" "$REAL/$capture" \
		>"$TMP/$n.jsonl" 2>"$TMP/$n.err"
	check "real_$n" python3 tests/e2e/compare_expected.py "$REAL/$n.expected.jsonl" "$TMP/$n.jsonl"
done <"$REAL/ports.txt"
