#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `haystack status` on a live agent: what run wrote of itself (pid, version,
# interface, XDP mode), the dictionaries, the bins, every map's fill against
# its capacity, the warning of a map near full, the refresh's result; map
# sizes from the options, kept by a taken-over instance; evidence_full when
# --max-evidence is small, the hour tables it bounds too; with no agent (after --keep), every --bins width
# with its open bin. Its own world (make_world), no ../shared.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

make_world "$TMP" 5 || { not_ok status_world "could not make a v5 export capture"; exit 1; }
DICT=$TMP/dictionary.json
SUBS=$TMP/subscribers.txt
PCAP=$TMP/v5.pcap
PORT=$WORLD_PORT
# every export datagram is counted (export_packets)
NP=$(tcpdump -r "$PCAP" -n 2>/dev/null | wc -l)
# json FILE EXPR: EXPR over the JSON object in FILE (as j) is true
json() { python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else "no: %s" % sys.argv[2])' "$@"; }

# ---- replay: a small evidence map loses records, and says how many ----
"$HAYSTACK" replay --dict "$DICT" --subscribers "$SUBS" --ports "$PORT" "$PCAP" >/dev/null 2>"$TMP/big.err"
"$HAYSTACK" replay --dict "$DICT" --subscribers "$SUBS" --ports "$PORT" --max-evidence 4 "$PCAP" \
	>/dev/null 2>"$TMP/small.err"
check status_replay_default_loses_nothing grep -q ", 0 lost (evidence map full)" "$TMP/big.err"
check status_replay_small_evidence_full grep -qE "evidence_full=[1-9][0-9]*" "$TMP/small.err"

# ---- live: run in a netns of its own, status while it counts ----
make_veth_ns hs-status || { not_ok status_live_setup "cannot create a netns"; exit 0; }
echo '{"day":"2019-11-16","finished":"2019-11-15T18:03:00Z","result":"load_failed","exit":2,"dictionary":"/d/x.json"}' \
	>"$TMP/refresh.json"
# The refresh's inputs: one class, one domain, in a hosts file.
printf '{"format":"haystack-signatures/1","classes":[{"name":"a","level":"platform","parent":null,"domains":[{"name":"api.a.example","role":"primary"}]}]}\n' \
	>"$TMP/sig.json"
echo "192.0.2.1 api.a.example" >"$TMP/a.hosts"
printf '[dict build]\nsignatures = %s\nhosts = %s\n[load]\nforce = true\n' "$TMP/sig.json" "$TMP/a.hosts" \
	>"$TMP/refresh.conf"
# The agent is started without a wrapper, so $! is its pid; the whole script
# is bounded by timeout.
timeout 60 ip netns exec "$ns" bash -s "$HAYSTACK" "$DICT" "$SUBS" "$PCAP" "$TMP" "$PORT" "$NP" \
	>"$TMP/live.out" 2>&1 <<'EOS'
H=$1 D=$2 S=$3 P=$4 T=$5 PORT=$6 NP=$7
exports() { "$H" status --json 2>/dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["counters"]["export_packets"], j["bins"][0]["last_reported"])'; }
started() { for _ in $(seq 50); do grep -q "attached to" "$1" 2>/dev/null && return; sleep 0.1; done; }
"$H" run --iface vb --dict "$D" --subscribers "$S" --ports "$PORT" --xdp-mode skb --max-evidence 8 \
	--keep --out "$T/live.jsonl" 2>"$T/run1.err" &
pid=$!
echo "pid=$pid"
started "$T/run1.err"
cat /sys/class/net/vb/ifindex >"$T/ifindex"
tcpreplay -q -i va "$P" >/dev/null 2>&1
# every export counted, and the agent's once-a-second poll has reported the hours
for _ in $(seq 50); do [ "$(exports)" = "$NP 2019-11-15T11:00:00Z" ] && break; sleep 0.1; done
"$H" status --json --refresh-status "$T/refresh.json" >"$T/status.json" 2>"$T/status.err"
"$H" status --refresh-status "$T/no-such-file" >"$T/status.txt" 2>&1
# the daily refresh against this agent, its result in status
scripts/haystack-refresh --config "$T/refresh.conf" --dir "$T/dicts" --day 2019-11-16 \
	--haystack "$H" --status "$T/refresh-live.json" 2>"$T/refresh.err"
echo "refresh=$?"
"$H" status --json --refresh-status "$T/refresh-live.json" >"$T/refreshed.json" 2>/dev/null
kill -TERM $pid; wait $pid; echo "exit1=$?"
# --keep: the program counts on, no agent reports
"$H" status --json >"$T/kept.json" 2>/dev/null
"$H" status >"$T/kept.txt" 2>/dev/null
# a refresh file that is not JSON: said, and the rest of status stands
echo "503 Service Unavailable" >"$T/bad-refresh.json"
"$H" status --json --refresh-status "$T/bad-refresh.json" >"$T/bad-refresh.out" 2>"$T/bad-refresh.err"
echo "bad_refresh=$?"
# the pinned evidence map holds 8: another size is refused, none asked keeps 8
"$H" run --iface vb --dict "$D" --subscribers "$S" --ports "$PORT" --xdp-mode skb --max-evidence 16 \
	--out "$T/live2.jsonl" 2>"$T/resized.err"
echo "resized=$?"
"$H" run --iface vb --dict "$D" --subscribers "$S" --ports "$PORT" --xdp-mode skb --bins 1h \
	--out "$T/live2.jsonl" 2>"$T/run2.err" &
pid2=$!
started "$T/run2.err"
# the agent writes its own state just after it says it is attached
for _ in $(seq 50); do
	"$H" status --json >"$T/taken.json" 2>/dev/null
	grep -q '"agent": *{' "$T/taken.json" && break
	sleep 0.1
done
kill -TERM $pid2; wait $pid2; echo "exit2=$?"
EOS
pid=$(sed -n 's/^pid=//p' "$TMP/live.out")
check status_live_run_exits_0 grep -qx "exit1=0" "$TMP/live.out"
check status_agent_pid json "$TMP/status.json" "j['agent']['pid'] == $pid"
check status_agent_interface json "$TMP/status.json" \
	"j['agent']['interface'] == 'vb' and j['agent']['ifindex'] == $(cat "$TMP/ifindex" 2>/dev/null || echo -1)"
check status_agent_xdp_mode json "$TMP/status.json" "j['agent']['xdp_mode'] == 'skb'"
check status_agent_version json "$TMP/status.json" \
	"'haystack ' + j['agent']['version'] == '$("$HAYSTACK" --version)'"
check status_agent_uptime json "$TMP/status.json" "0 <= j['agent']['uptime_seconds'] < 60 and j['agent_running']"
# the sample dictionary (signatures/): 23 monitored domains, 28 trie prefixes
check status_dictionary json "$TMP/status.json" \
	"[(d['generation'], d['domains'], d['prefixes'], d['in_force'], d['stale']) for d in j['dictionaries']] == [(1, 23, 28, True, False)]"
# (one exporter: the v5 one; its clock in exporter_clocks, no options entry)
check status_map_fill json "$TMP/status.json" \
	"{m['map']: (m['entries'], m['max_entries']) for m in j['maps'] if m['map'] != 'service_hosts'} == {'evidence': (8, 8), 'service_endpoints': (28, 1048576), 'endpoint_rules': (23, 65536), 'subscriber_prefixes': (2, 65536), 'templates': (0, 4096), 'exporters': (0, 4096), 'exporter_clocks': (1, 16384), 'exporter_allow': (0, 16384), 'dictionaries': (1, 8)}"
# the exact IPv4 endpoints among the 28 prefixes, sized as the trie
check status_map_fill_hosts json "$TMP/status.json" \
	"[(m['entries'] <= 28, m['max_entries']) for m in j['maps'] if m['map'] == 'service_hosts'] == [(True, 1048576)]"
check status_map_full_warning grep -qx \
	"haystack: map evidence is 100% full (8 of 8 entries): start afresh with a larger --max-evidence (haystack detach first)" \
	"$TMP/status.err"
check status_only_the_full_map_warns test "$(grep -c "full (" "$TMP/status.err")" -eq 1
check status_live_evidence_full json "$TMP/status.json" "j['counters']['evidence_full'] > 0"
# the hour tables (made at the first tick after the first export; how much
# of the capture came before it is a matter of timing), each at most
# --max-evidence 8 at half load: 2 buckets, 16 ways
check status_hour_tables json "$TMP/status.json" \
	"j['hour_tables'] and all(t['ways'] == 16 and t['entries'] <= 16 and t['bytes'] > 0 and t['generation'] == 1 for t in j['hour_tables'])"
check status_evidence_entries_count_tables json "$TMP/status.json" \
	"j['evidence_entries'] == 8 + sum(t['entries'] for t in j['hour_tables'])"
# v5 exports from 10:47 to 12:28, 300 s of grace: hours to 11:00 reported,
# 12:00 open; the day open, none reported
check status_bins json "$TMP/status.json" \
	"[(b['seconds'], b['last_reported'], b['open'], b['first_open']) for b in j['bins']] == [(3600, '2019-11-15T11:00:00Z', 1, '2019-11-15T12:00:00Z'), (86400, None, 1, '2019-11-15T00:00:00Z')]"
check status_refresh_shown json "$TMP/status.json" \
	"j['refresh'] == json.load(open('$TMP/refresh.json'))"
check status_refresh_exits_0 grep -qx "refresh=0" "$TMP/live.out"
check status_refresh_loaded json "$TMP/refreshed.json" \
	"(j['refresh']['day'], j['refresh']['result'], j['refresh']['exit'], j['refresh']['dictionary']) == ('2019-11-16', 'loaded', 0, '$TMP/dicts/dictionary-2019-11-16.json')"
check status_refresh_dictionary_listed json "$TMP/refreshed.json" \
	"sorted((d['generation'], d['domains'], d['prefixes']) for d in j['dictionaries']) == [(1, 23, 28), (2, 1, 1)]"
check status_text_agent grep -q "^agent: {\"pid\":$pid," "$TMP/status.txt"
check status_text_no_refresh grep -qx "refresh: none" "$TMP/status.txt"
check status_text_maps grep -q '^  {"map":"evidence","entries":8,"max_entries":8}$' "$TMP/status.txt"
check status_kept_no_agent json "$TMP/kept.json" "j['agent'] is None and not j['agent_running']"
# --keep left the open bins open, for the run taking over to write; with no
# agent, every width it was started with: the day too, mid-day, none
# reported yet, its bin open
check status_kept_bins json "$TMP/kept.json" \
	"[(b['seconds'], b['last_reported'], b['open']) for b in j['bins']] == [(3600, '2019-11-15T11:00:00Z', 1), (86400, None, 1)]"
check status_kept_day_open json "$TMP/kept.json" \
	"[(b['seconds'], b['last_reported'], b['open'], b['first_open']) for b in j['bins'] if b['seconds'] == 86400] == [(86400, None, 1, '2019-11-15T00:00:00Z')]"
check status_kept_text_bins bash -c "grep -A2 -x 'bins: 2' '$TMP/kept.txt' | grep -qx '  {\"seconds\":86400,\"last_reported\":null,\"open\":1,\"first_open\":\"2019-11-15T00:00:00Z\"}'"
check status_bad_refresh_exits_0 grep -qx "bad_refresh=0" "$TMP/live.out"
check status_bad_refresh_null json "$TMP/bad-refresh.out" "j['refresh'] is None and j['counters']['export_packets'] == $NP"
# (the evidence map, still full of the open bins, is warned of beside it)
check status_bad_refresh_one_line bash -c "[ \$(grep -c 'bad-refresh.json' '$TMP/bad-refresh.err') -eq 1 ] && grep -q '^haystack: $TMP/bad-refresh.json: ' '$TMP/bad-refresh.err'"
check status_resize_refused_exit_2 grep -qx "resized=2" "$TMP/live.out"
check status_resize_one_line bash -c "[ \$(wc -l <'$TMP/resized.err') -eq 1 ] && grep -q -- '--max-evidence 16: the map evidence pinned at /sys/fs/bpf/haystack holds 8 entries' '$TMP/resized.err'"
check status_takeover_keeps_size json "$TMP/taken.json" \
	"[m['max_entries'] for m in j['maps'] if m['map'] == 'evidence'] == [8] and j['agent']['pid'] > 0"
# the bins of this agent, not of the one before
check status_takeover_bins json "$TMP/taken.json" \
	"[(b['seconds'], b['last_reported']) for b in j['bins']] == [(3600, '2019-11-15T11:00:00Z')]"
check status_takeover_exits_0 grep -qx "exit2=0" "$TMP/live.out"
