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
# Bin widths are read as every other number: plain decimal, no empty item.
for b in +1h " 1h" 1h,,1d 1h, 0h 367d 1x 0x1h; do
	expect_bad "cli_bad_bins_'$b'" "^haystack: --bins .*: expected a list like" \
		"$HAYSTACK" replay --bins "$b" --dict "$dict" --subscribers "$subs" x.pcap
done
# Map sizes: from 1 to a bound each, on run and replay alike.
expect_bad cli_max_evidence_0 "^haystack: --max-evidence 0: expected a whole number from 1 to 67108864$" \
	"$HAYSTACK" replay --max-evidence 0 --dict "$dict" --subscribers "$subs" x.pcap
expect_bad cli_max_templates_too_big "^haystack: --max-templates 1048577: expected a whole number from 1 to 1048576$" \
	"$HAYSTACK" replay --max-templates 1048577 --dict "$dict" --subscribers "$subs" x.pcap
expect_bad cli_max_exporter_clocks_too_big "^haystack: --max-exporter-clocks 1048577: expected a whole number from 1 to 1048576$" \
	"$HAYSTACK" replay --max-exporter-clocks 1048577 --dict "$dict" --subscribers "$subs" x.pcap
# the real program loads with an exporter_clocks LRU of one entry, and reads
have_fixtures && check cli_max_exporter_clocks_1_loads bash -c "'$HAYSTACK' replay --max-exporter-clocks 1 --dict '$dict' --subscribers '$subs' '$FIXTURES/export-v5.pcap' 2>&1 >/dev/null | grep -q ' 439 export packets'"
expect_bad cli_run_max_endpoints_not_a_number "^haystack: --max-endpoints 1e6: expected a whole number" \
	"$HAYSTACK" run --iface lo --max-endpoints 1e6 --dict "$dict" --subscribers "$subs"
# A dictionary larger than --max-endpoints is refused before any map is written.
expect_bad cli_dict_beyond_max_endpoints "need [0-9]+ endpoints and [0-9]+ rule sets, at most 1 and 65536 fit" \
	"$HAYSTACK" replay --max-endpoints 1 --dict "$dict" --subscribers "$subs" /dev/null
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
# --exporters is read as --subscribers is: the same reader, the same lines.
printf '192.0.2.1/32\n# a comment\n192.0.2.300\n' >"$TMP/exporters-bad.txt"
expect_bad cli_exporters_bad_line "exporters-bad.txt:3: bad prefix '192.0.2.300'" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$subs" --exporters "$TMP/exporters-bad.txt" /dev/null
printf '# nothing but comments\n' >"$TMP/exporters-empty.txt"
expect_bad cli_exporters_empty "exporters-empty.txt: no exporter prefixes" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$subs" --exporters "$TMP/exporters-empty.txt" /dev/null
expect_bad cli_exporters_missing "no-such-exporters.txt" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$subs" --exporters "$TMP/no-such-exporters.txt" /dev/null
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
expect_exit cli_status_without_instance 1 "no haystack instance at $pin" \
	"$HAYSTACK" status --pin "$pin"
expect_bad cli_detach_missing_interface "no interface hs-no-such-if" \
	"$HAYSTACK" detach --iface hs-no-such-if --pin "$pin"

# ---- the verb table: each verb takes its own options and no other ----

verbs=(run replay status detach "dict build" "signatures import")

# Every long option some verb's help lists, and a few no verb has.
all_opts=$(for v in "${verbs[@]}"; do "$HAYSTACK" $v --help; done |
	grep -oE -- '--[a-z][a-z-]+' | sort -u)
all_opts="$all_opts --no-such-option --iface-name --dictionary"

# The table is the truth: an option is in `VERB --help` exactly when VERB
# takes it. "VERB --opt --help" prints the help when --opt is a flag, says
# --opt needs a value when it takes one, and only when VERB has no --opt
# calls it unrecognized.
for v in "${verbs[@]}"; do
	name=cli_help_is_the_table_${v// /_}
	listed=$("$HAYSTACK" $v --help | sed -n '/^Options:/,$p' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
	bad=
	for o in $all_opts; do
		"$HAYSTACK" $v "$o" --help >/dev/null 2>"$TMP/err"
		if grep -q "unrecognized option '$o'" "$TMP/err"; then refused=1; else refused=0; fi
		if grep -qx -- "$o" <<<"$listed"; then listed1=1; else listed1=0; fi
		[ "$refused" -ne "$listed1" ] || bad="$bad $o(listed=$listed1,refused=$refused)"
	done
	if [ -z "$bad" ] && [ -n "$listed" ]; then ok "$name"; else not_ok "$name" "$bad"; fi
done

# help_has VERB PATTERN: the help, its lines joined, has PATTERN.
help_has() { "$HAYSTACK" $1 --help | tr -s ' \n' '  ' | grep -q -- "$2"; }
check cli_replay_help_has_records help_has replay '--records'
check cli_replay_help_has_captures help_has replay 'CAPTURE\.\.\.'
check cli_replay_help_lacks_iface bash -c "! '$HAYSTACK' replay --help | grep -q -- --iface"
check cli_replay_help_lacks_pin bash -c "! '$HAYSTACK' replay --help | grep -q -- --pin"
check cli_status_help_lacks_dict bash -c "! '$HAYSTACK' status --help | grep -q -- --dict"
# Defaults in the help are the ones the parse starts from.
check cli_help_default_bins help_has replay 'default 1h,1d'
check cli_help_default_ports help_has run 'default 2055,4739,9995'
check cli_help_default_grace help_has run '0 to 86400; default 300'
check cli_help_default_pin help_has status 'default /sys/fs/bpf/haystack'
check cli_help_default_xdp_mode help_has run 'default native'
check cli_help_default_template_timeout help_has replay '1 to 86400; default 5400'
check cli_help_dict_build_lists_files help_has "dict build" '--signatures FILE\.\.\.'
check cli_group_help "$HAYSTACK" dict --help

# A foreign option is one line and exit 2, whatever else is right.
for o in --iface=nosuch --keep --json --pin=/tmp --grace=1 --consume --xdp-mode=skb \
	--signatures=x --iot-wild=x; do
	n=${o%%=*}
	expect_bad "cli_replay_refuses_${n#--}" "replay: unrecognized option '$n'" \
		"$HAYSTACK" replay "$o" --dict "$dict" --subscribers "$subs" /dev/null
done
expect_bad cli_replay_refuses_iface_keep_json "unrecognized option '--iface'" \
	"$HAYSTACK" replay --iface nosuch --keep --json --dict "$dict" --subscribers "$subs" /dev/null
expect_bad cli_run_refuses_json "run: unrecognized option '--json'" \
	"$HAYSTACK" run --json --iface hs-no-such-if --dict "$dict" --subscribers "$subs"
expect_bad cli_run_refuses_signatures "run: unrecognized option '--signatures'" \
	"$HAYSTACK" run --signatures x --iface hs-no-such-if --dict "$dict" --subscribers "$subs"
expect_bad cli_status_refuses_iface "status: unrecognized option '--iface'" \
	"$HAYSTACK" status --iface x --pin "$pin"
expect_bad cli_status_refuses_dict "status: unrecognized option '--dict'" \
	"$HAYSTACK" status --dict "$dict" --pin "$pin"
expect_bad cli_detach_refuses_dict "detach: unrecognized option '--dict'" \
	"$HAYSTACK" detach --dict x --iface hs-no-such-if --pin "$pin"
expect_bad cli_detach_refuses_keep "detach: unrecognized option '--keep'" \
	"$HAYSTACK" detach --keep --iface hs-no-such-if --pin "$pin"
expect_bad cli_dict_build_refuses_dict "dict build: unrecognized option '--dict'" \
	"$HAYSTACK" dict build --dict x --signatures x --day 2019-11-15 -o "$TMP/d.json"
expect_bad cli_dict_build_refuses_iface "dict build: unrecognized option '--iface'" \
	"$HAYSTACK" dict build --iface x --signatures x --day 2019-11-15 -o "$TMP/d.json"
expect_bad cli_signatures_import_refuses_day "signatures import: unrecognized option '--day'" \
	"$HAYSTACK" signatures import --day 2019-11-15 --iot-wild x -o "$TMP/s.json"
expect_bad cli_signatures_import_refuses_pin "signatures import: unrecognized option '--pin'" \
	"$HAYSTACK" signatures import --pin x --iot-wild x -o "$TMP/s.json"
expect_bad cli_status_refuses_argument "status: unexpected argument 'extra'" \
	"$HAYSTACK" status --pin "$pin" extra
expect_bad cli_ambiguous_option "option '--d' is ambiguous \(--dict or --detail\)" \
	"$HAYSTACK" replay --d x
expect_bad cli_flag_takes_no_value "--detail takes no value" \
	"$HAYSTACK" replay --detail=yes --dict "$dict" --subscribers "$subs" /dev/null
expect_bad cli_option_needs_value "--dict needs a value \(FILE\), not the option '--subscribers'" \
	"$HAYSTACK" replay --dict --subscribers "$subs" /dev/null
expect_bad cli_option_missing_value "-o needs a value" "$HAYSTACK" replay -o

# ---- verbs and sub-verbs ----
expect_bad cli_unknown_sub_verb "unknown verb 'dict frob'" "$HAYSTACK" dict frob
expect_bad cli_missing_sub_verb "dict: expected a sub-verb" "$HAYSTACK" dict
expect_bad cli_no_verb "no verb given" "$HAYSTACK"
expect_bad cli_unknown_option_before_verb "unrecognized option '--json' before the verb" \
	"$HAYSTACK" --json status
check cli_version bash -c "'$HAYSTACK' --version | grep -qxE 'haystack [0-9]+\.[0-9]+\.[0-9]+.*'"
check cli_version_short bash -c "[ \"\$('$HAYSTACK' -V)\" = \"\$('$HAYSTACK' --version)\" ]"
# -v before the verb, and after it in every verb; -vv too.
for v in "${verbs[@]}"; do
	check "cli_verbose_${v// /_}" bash -c "'$HAYSTACK' -v $v -vv --verbose --help >/dev/null"
done
# Levels: libbpf's own debugging is one level below haystack's, shown with
# -vv only (a load of the program writes it; the capture then fails).
loads() { "$HAYSTACK" "$@" replay --dict "$dict" --subscribers "$subs" /dev/null 2>&1; }
check cli_quiet_without_v bash -c "! grep -q '^libbpf:' <<<\"\$1\"" _ "$(loads)"
check cli_libbpf_debug_not_at_v bash -c "! grep -q '^libbpf:' <<<\"\$1\"" _ "$(loads -v)"
check cli_libbpf_debug_at_vv grep -q '^libbpf: ' <<<"$(loads -vv)"

# ---- required options ----
expect_bad cli_run_requires_iface "run: --iface, --dict and --subscribers are required \(missing --iface\)" \
	"$HAYSTACK" run --dict "$dict" --subscribers "$subs"
expect_bad cli_replay_requires_dict "replay: .*\(missing --dict\)" \
	"$HAYSTACK" replay --subscribers "$subs" /dev/null
expect_bad cli_replay_requires_capture "replay: .*\(missing CAPTURE\)" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$subs"
expect_bad cli_detach_requires_iface "detach: --iface is required" "$HAYSTACK" detach --pin "$pin"
expect_bad cli_signatures_import_requires_out "signatures import: .*\(missing -o\)" \
	"$HAYSTACK" signatures import --iot-wild x

# ---- numbers: every one in its range ----
replay_with() { "$HAYSTACK" replay "$@" --dict "$dict" --subscribers "$subs" /dev/null; }
expect_bad cli_grace_negative "--grace -5: expected a whole number from 0 to 86400" \
	"$HAYSTACK" run --grace -5 --iface hs-no-such-if --dict "$dict" --subscribers "$subs"
expect_bad cli_grace_too_large "--grace 86401" \
	"$HAYSTACK" run --grace 86401 --iface hs-no-such-if --dict "$dict" --subscribers "$subs"
expect_bad cli_grace_not_a_number "--grace 5s" \
	"$HAYSTACK" run --grace 5s --iface hs-no-such-if --dict "$dict" --subscribers "$subs"
expect_bad cli_template_timeout_too_large "--template-timeout 86401: expected a whole number from 1 to 86400" \
	replay_with --template-timeout 86401
expect_bad cli_sampling_plus "--sampling \+5" replay_with --sampling +5
for p in 0 65536 -1 2055,,4739 2055, 1,2,3,4,5,6,7,8,9; do
	expect_bad "cli_bad_ports_$p" "--ports $p: expected up to 8 UDP ports from 1 to 65535" \
		replay_with --ports "$p"
done
expect_bad cli_bad_xdp_mode "--xdp-mode auto: expected native or skb" \
	"$HAYSTACK" run --xdp-mode auto --iface hs-no-such-if --dict "$dict" --subscribers "$subs"
# The ends of each range are taken (the run stops at the missing interface).
expect_bad cli_grace_bounds_taken "no interface hs-no-such-if" \
	"$HAYSTACK" run --grace 0 --grace 86400 --template-timeout 1 --template-timeout 86400 \
	--sampling 1 --sampling 4294967295 --ports 1,65535 --iface hs-no-such-if \
	--dict "$dict" --subscribers "$subs"

# ---- bad input is exit 2 whatever errno says it ----
expect_bad cli_missing_dictionary "no-such.json: No such file or directory" \
	"$HAYSTACK" replay --dict "$TMP/no-such.json" --subscribers "$subs" /dev/null
expect_bad cli_directory_as_dictionary "Is a directory" \
	"$HAYSTACK" replay --dict "$TMP" --subscribers "$subs" /dev/null
expect_bad cli_missing_subscribers "no-such.txt: No such file or directory" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$TMP/no-such.txt" /dev/null
# A file without end is not read without end; a line without end neither.
expect_bad cli_dict_too_large "/dev/zero: too large \\(limit" \
	"$HAYSTACK" replay --dict /dev/zero --subscribers "$subs" /dev/null
expect_bad cli_subscribers_too_long_line "line too long" \
	"$HAYSTACK" replay --dict "$dict" --subscribers /dev/zero /dev/null
printf '::/0\n' >"$TMP/subs-all6.txt"
expect_bad cli_subscribers_v6_slash_zero "subs-all6.txt:1: bad prefix '::/0' \\(a /0 covers" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$TMP/subs-all6.txt" /dev/null
printf '0.0.0.0/0\n' >"$TMP/subs-all4.txt"
expect_bad cli_subscribers_v4_slash_zero "subs-all4.txt:1: bad prefix '0.0.0.0/0' \\(a /0 covers" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$TMP/subs-all4.txt" /dev/null
# One domain on 17 ports: its prefix needs 17 rules, one more than fit.
python3 - "$TMP/17rules.json" <<'PY'
import json, sys
json.dump({"format": "haystack-dictionary/1",
           "classes": [{"name": "c", "level": "product", "parent": None}],
           "domains": [{"name": "many.example", "classes": ["c"], "role": "primary",
                        "ports": ["tcp/%d" % p for p in range(1, 18)],
                        "prefixes": ["192.0.2.0/24"]}]}, open(sys.argv[1], "w"))
PY
expect_bad cli_prefix_needs_17_rules "17rules.json: prefix 192.0.2.0/24 needs 17 rules, at most 16 fit" \
	"$HAYSTACK" replay --dict "$TMP/17rules.json" --subscribers "$subs" /dev/null
# One prefix more than the subscriber map holds (HAYSTACK_MAX_SUBSCRIBER_PREFIXES);
# as many as it holds are taken, and the replay goes on to the capture.
subs_n() { python3 -c 'import sys
for i in range(int(sys.argv[1])): print("10.%d.%d.%d/32" % (i >> 16, (i >> 8) & 255, i & 255))' "$1"; }
subs_n 65537 >"$TMP/subs-big.txt"
subs_n 65536 >"$TMP/subs-full.txt"
expect_bad cli_too_many_subscribers "65537 subscriber prefixes" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$TMP/subs-big.txt" /dev/null
expect_bad cli_subscribers_full_taken "/dev/null: truncated" \
	"$HAYSTACK" replay --dict "$dict" --subscribers "$TMP/subs-full.txt" /dev/null
expect_bad cli_dict_build_missing_signatures "no-such-sig.json" \
	"$HAYSTACK" dict build --signatures "$TMP/no-such-sig.json" --day 2019-11-15 -o "$TMP/d.json"
# A bare FILE after a list option belongs to it: the second file is read as signatures.
echo '{"format":"haystack-signatures/1","classes":[]}' >"$TMP/sig.json"
expect_bad cli_dict_build_list_takes_bare_file "second-sig.json" \
	"$HAYSTACK" dict build --signatures "$TMP/sig.json" "$TMP/second-sig.json" \
	--day 2019-11-15 -o "$TMP/d.json"
expect_bad cli_dict_build_stray_argument "dict build: unexpected argument 'stray'" \
	"$HAYSTACK" dict build --day 2019-11-15 stray --signatures x -o "$TMP/d.json"

# ---- "-" is standard output ----
if have_fixtures; then
	cap=$FIXTURES/export-v5.pcap
	"$HAYSTACK" replay --dict "$FIXTURES/dictionary.json" --subscribers "$FIXTURES/subscribers.txt" \
		"$cap" >"$TMP/plain.jsonl" 2>/dev/null
	"$HAYSTACK" replay --dict "$FIXTURES/dictionary.json" --subscribers "$FIXTURES/subscribers.txt" \
		--out - "$cap" >"$TMP/dash.jsonl" 2>/dev/null
	"$HAYSTACK" replay --dict "$FIXTURES/dictionary.json" --subscribers "$FIXTURES/subscribers.txt" \
		-o - "$cap" >"$TMP/dash-o.jsonl" 2>/dev/null
	check cli_replay_out_dash_is_stdout bash -c "[ -s '$TMP/dash.jsonl' ] && cmp -s '$TMP/plain.jsonl' '$TMP/dash.jsonl' && cmp -s '$TMP/plain.jsonl' '$TMP/dash-o.jsonl' && [ ! -e ./- ]"
else
	skip cli_replay_out_dash_is_stdout "needs $FIXTURES (the shared fixture world)"
fi
