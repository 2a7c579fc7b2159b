#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install: the files a Debian daemon has, units systemd-analyze accepts,
# and the service's command run with the unit's capabilities and no others
# (systemd is not PID 1 on every test machine; setpriv grants exactly the
# unit's set), which hold no CAP_SYS_ADMIN: it attaches, pins its program,
# detaches on SIGTERM, with keep is taken over (the same program) and
# detaches on exit after that, and a detach under the same capabilities
# removes it all; an XDP program that is not haystack's is left attached,
# by run and by detach, with one line. Then the refresh on bad and good
# input.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

id=$(uniq_id)
dict=$(realpath signatures/sample-dictionary.json)
subs=$(realpath signatures/sample-subscribers.txt)

# ---- the files ----

stage=$TMP/stage
make --no-print-directory -s install DESTDIR="$stage" PREFIX=/usr >"$TMP/install.out" 2>&1 ||
	{ not_ok install_runs "$(tail -5 "$TMP/install.out")"; exit 1; }
for f in usr/sbin/haystack usr/lib/haystack/haystack-refresh usr/share/man/man8/haystack.8 \
	usr/lib/systemd/system/haystack.service usr/lib/systemd/system/haystack-refresh.service \
	usr/lib/systemd/system/haystack-refresh.timer etc/haystack/haystack.conf; do
	check "install_has_$(basename "$f")" test -s "$stage/$f"
done
check install_binary_runs "$stage/usr/sbin/haystack" --version
check install_units_name_installed_paths grep -q \
	"^ExecStart=/usr/sbin/haystack run --config /etc/haystack/haystack.conf$" \
	"$stage/usr/lib/systemd/system/haystack.service"
# The page lists every verb with the options its --help prints.
man -l --warnings -P cat "$stage/usr/share/man/man8/haystack.8" >"$TMP/man.txt" 2>"$TMP/man.err"
check install_man_renders_clean test ! -s "$TMP/man.err"
check install_man_lists_every_verb bash -c "for v in run replay status detach 'dict build' 'signatures import'; do grep -q \"haystack \$v \" '$TMP/man.txt' || exit 1; done"
check install_man_has_options grep -q -- "--template-timeout SECONDS" "$TMP/man.txt"
# The example configuration is one every verb accepts (all sections checked).
"$stage/usr/sbin/haystack" status --config "$stage/etc/haystack/haystack.conf" --pin "$TMP/none" \
	>/dev/null 2>"$TMP/conf.err"
check install_conf_accepted grep -q "no haystack instance at $TMP/none" "$TMP/conf.err"
# A second install keeps the operator's configuration.
echo "# edited" >>"$stage/etc/haystack/haystack.conf"
make --no-print-directory -s install DESTDIR="$stage" PREFIX=/usr >/dev/null 2>&1
check install_keeps_conf grep -q "^# edited$" "$stage/etc/haystack/haystack.conf"

# ---- the units, installed where their paths are real ----

prefix=$TMP/prefix
make --no-print-directory -s install PREFIX="$prefix" SYSCONFDIR="$prefix/etc" >/dev/null 2>&1
units=$prefix/lib/systemd/system
# verify exits 0 on an unknown key, with a warning: both are asserted.
MANPATH=$prefix/share/man systemd-analyze verify "$units/haystack.service" \
	"$units/haystack-refresh.service" "$units/haystack-refresh.timer" >"$TMP/verify" 2>&1
check install_units_verify bash -c "[ $? -eq 0 ] && [ ! -s '$TMP/verify' ]"
[ -s "$TMP/verify" ] && sed 's/^/# /' "$TMP/verify"

# ---- the service's command under the unit's capabilities ----

unit=$units/haystack.service
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
ambient=$(sed -n 's/^AmbientCapabilities=//p' "$unit")
check install_unit_ambient_is_bounding test "$caps" = "$ambient"
# "CAP_BPF CAP_NET_ADMIN" -> "+bpf,+net_admin", as setpriv takes them
setpriv_caps() { echo "$1" | tr ' ' '\n' | sed -n 's/^CAP_\(.*\)/+\L\1/p' | paste -sd,; }
# No CAP_SYS_ADMIN: the set runs without it whatever the unit says (each
# step below needed it before haystack pinned its program), and the unit
# does not grant it.
check install_unit_no_sys_admin bash -c "! grep -q CAP_SYS_ADMIN <<<'$caps'"
unit_caps=$(setpriv_caps "${caps//CAP_SYS_ADMIN/}")
# detach replaces the attached program by netlink: CAP_NET_ADMIN
no_net_admin=$(setpriv_caps "$(sed 's/CAP_SYS_ADMIN//; s/CAP_NET_ADMIN//' <<<"$caps")")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
conf=$prefix/etc/haystack/haystack.conf
pin=/sys/fs/bpf/haystack-install-$id
cat >"$conf" <<EOC
[run]
iface = vb
dict = $dict
subscribers = $subs
out = $TMP/reports.jsonl
pin = $pin
[status]
pin = $pin
[detach]
pin = $pin
EOC
# An XDP program that is not haystack's (it passes every packet).
printf '%s\n' 'struct xdp_md;' \
	'__attribute__((section("xdp"), used)) int other_xdp(struct xdp_md *ctx) { return 2; }' \
	'char _license[] __attribute__((section("license"), used)) = "GPL";' >"$TMP/other.c"
${CLANG:-clang} -O2 -target bpf -c "$TMP/other.c" -o "$TMP/other.o" 2>"$TMP/other.err" ||
	not_ok install_other_prog_builds "$(cat "$TMP/other.err")"

ns=hs-inst-$id
ip netns add "$ns" || { not_ok install_netns "cannot create netns $ns"; exit 1; }
on_exit ip netns del "$ns"
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up
# Root with exactly CAPS (inheritable and ambient, so they survive the exec;
# the bounding set, so nothing else comes back): what systemd gives the unit.
ip netns exec "$ns" bash -s "$exec_start" "$conf" "$unit_caps" "$no_net_admin" "$pin" \
	"$TMP" >"$TMP/svc" 2>&1 <<'EOS'
exec_start=$1 conf=$2 caps=$3 fewer=$4 pin=$5 T=$6
H=${exec_start%% *}
# systemd mounts /sys/fs/bpf before any unit; ip netns exec gave a fresh /sys.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
as() { echo "setpriv --inh-caps=-all,$1 --ambient-caps=-all,$1 --bounding-set=-all,$1 --"; }
P=$(as "$caps") F=$(as "$fewer")
started() { for _ in $(seq 50); do grep -q "attached to\|took over" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
attached() { ip link show vb | grep -q "prog/xdp"; }
prog_id() { ip link show vb | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }
# what is pinned in the bpffs (the directories and link iproute2 and libxdp make aside)
pins() { find /sys/fs/bpf -mindepth 1 ! -type d ! -type l ! -name '*.debug' | sort | paste -sd' '; }
one_line() { [ "$(wc -l <"$1")" = 1 ]; }

$P $exec_start 2>$T/run1.err &
pid=$!
started $T/run1.err && echo "started=1"
# the capabilities the agent holds, by name, against the unit's
have=$(capsh --decode="$(awk '/^CapEff/ {print $2}' /proc/$pid/status)" | sed 's/.*=//' | tr , '\n' | sort | paste -sd,)
want=$(echo "$caps" | tr , '\n' | sed 's/^+/cap_/' | sort | paste -sd,)
echo "# effective: $have"
[ "$have" = "$want" ] && echo "only_unit_caps=1"
attached && echo "attached=1"
# the attached program is pinned beside its maps: found again by bpf_obj_get
[ -n "$(prog_id)" ] && [ "$(bpftool prog show pinned "$pin/haystack_xdp" 2>/dev/null |
	sed -n 's/^\([0-9]*\):.*/\1/p')" = "$(prog_id)" ] && echo "prog_pinned=1"
$P "$H" status --config "$conf" >/dev/null && echo "status_ok=1"
kill -TERM $pid; wait $pid; echo "run_exit=$?"
attached || echo "detached_on_exit=1"
[ -e "$pin" ] || echo "unpinned_on_exit=1"
grep -q "cannot detach" $T/run1.err || echo "exit_no_error=1"

# keep = the command line's --keep: left attached; a second run takes it over.
$P $exec_start --keep 2>$T/run2.err &
pid=$!
started $T/run2.err; kill -TERM $pid; wait $pid
kept_id=$(prog_id)
attached && [ -e "$pin/evidence" ] && [ -e "$pin/haystack_xdp" ] && echo "kept=1"
$P $exec_start --keep 2>$T/run3.err &
pid=$!
started $T/run3.err; kill -TERM $pid; wait $pid
grep -q "took over the haystack attached to vb" $T/run3.err && echo "took_over=1"
grep -q "took over" $T/run3.err && [ -n "$kept_id" ] && [ "$(prog_id)" = "$kept_id" ] &&
	echo "took_over_same_program=1"
# Taken over without keep: it detaches the program it took over on exit.
$P $exec_start 2>$T/run4.err &
pid=$!
started $T/run4.err; kill -TERM $pid; wait $pid; echo "takeover_run_exit=$?"
grep -q "took over the haystack attached to vb" $T/run4.err && ! attached && [ ! -e "$pin" ] &&
	echo "took_over_detached_on_exit=1"

$P $exec_start --keep 2>$T/run5.err &
pid=$!
started $T/run5.err; kill -TERM $pid; wait $pid
# Without CAP_NET_ADMIN the kernel refuses the netlink detach: nothing removed.
$F "$H" detach --config "$conf" --iface vb 2>$T/detach1.err; echo "fewer_detach_exit=$?"
grep -q "cannot detach from vb: Operation not permitted" $T/detach1.err && one_line $T/detach1.err &&
	echo "fewer_says_why=1"
attached && [ -e "$pin/evidence" ] && [ -e "$pin/haystack_xdp" ] && echo "fewer_left_it=1"
had=$(attached && [ -e "$pin/haystack_xdp" ] && echo 1)
$P "$H" detach --config "$conf" --iface vb 2>$T/detach2.err; echo "detach_exit=$?"
[ "$had" ] && ! attached && echo "detached=1"
[ "$had" ] && [ ! -e "$pin" ] && echo "unpinned=1"
[ "$had" ] && [ -z "$(pins)" ] && echo "nothing_pinned=1" || echo "# pinned after detach: $(pins)"

# Another XDP program on vb: run and detach leave it, each with one line.
ip link set dev vb xdp obj "$T/other.o" sec xdp
other=$(prog_id)
$P $exec_start 2>$T/run6.err; echo "other_run_exit=$?"
grep -q "cannot attach to vb: the XDP program attached there (id $other) is not the haystack pinned at $pin" $T/run6.err &&
	one_line $T/run6.err && echo "other_run_says_why=1"
[ -n "$other" ] && [ "$(prog_id)" = "$other" ] && [ ! -e "$pin" ] && echo "other_run_left_it=1"
$P "$H" detach --config "$conf" --iface vb 2>$T/detach3.err; echo "other_detach_exit=$?"
grep -q "nothing removed from vb: the XDP program attached there (id $other)" $T/detach3.err &&
	one_line $T/detach3.err && echo "other_detach_says_why=1"
[ -n "$other" ] && [ "$(prog_id)" = "$other" ] && echo "other_detach_left_it=1"
ip link set dev vb xdp off
[ -z "$(pins)" ] && echo "other_nothing_pinned=1" || echo "# pinned after the other: $(pins)"
EOS
r=$(cat "$TMP/svc")
# each check: the line the sequence printed when that step did what it should
while read -r name line; do
	check "$name" grep -qx "$line" <<<"$r"
done <<'EOT'
service_starts_with_unit_caps            started=1
service_has_only_unit_caps               only_unit_caps=1
service_attaches                         attached=1
service_pins_its_program                 prog_pinned=1
service_status_under_caps                status_ok=1
service_sigterm_exits_0                  run_exit=0
service_detaches_on_exit                 detached_on_exit=1
service_unpins_on_exit                   unpinned_on_exit=1
service_exit_says_no_error               exit_no_error=1
service_keep_leaves_attached             kept=1
service_takes_over_under_caps            took_over=1
service_takes_over_same_program          took_over_same_program=1
service_taken_over_exits_0               takeover_run_exit=0
service_taken_over_detaches_on_exit      took_over_detached_on_exit=1
detach_without_net_admin_exit_1          fewer_detach_exit=1
detach_without_net_admin_says_why        fewer_says_why=1
detach_without_net_admin_removes_nothing fewer_left_it=1
detach_under_caps_exit_0                 detach_exit=0
detach_under_caps_detaches               detached=1
detach_under_caps_unpins                 unpinned=1
detach_under_caps_leaves_nothing_pinned  nothing_pinned=1
other_prog_run_exit_1                    other_run_exit=1
other_prog_run_says_why                  other_run_says_why=1
other_prog_run_leaves_it                 other_run_left_it=1
other_prog_detach_exit_1                 other_detach_exit=1
other_prog_detach_says_why               other_detach_says_why=1
other_prog_detach_leaves_it              other_detach_left_it=1
other_prog_nothing_pinned                other_nothing_pinned=1
EOT
# what else the sequence said (errors of a step that failed), as comments
grep '^# ' <<<"$r"
grep -v '^# \|=[01]$' <<<"$r" | sed 's/^/# /'
# Whatever a failed step leaves goes on exit: the veth with the netns, the
# pins with the bpffs mounted in the mount namespace of `ip netns exec`.

# ---- the refresh: build tomorrow's dictionary, then load it ----

refresh=$prefix/lib/haystack/haystack-refresh
for c in a b; do
	printf '{"format":"haystack-signatures/1","classes":[{"name":"%s","level":"platform","parent":null,"domains":[{"name":"api.%s.example","role":"primary"}]}]}\n' \
		$c $c >"$TMP/sig-$c.json"
done
printf '192.0.2.1 api.a.example\n192.0.2.2 api.b.example\n' >"$TMP/both.hosts"
printf '<html>503 Service Unavailable</html>\n' >"$TMP/garbage.jsonl"
refresh_conf() {	# the [dict build] of the refresh, with extra lines
	printf '[dict build]\nsignatures = %s\nsignatures = %s\nhosts = %s\n' \
		"$TMP/sig-a.json" "$TMP/sig-b.json" "$TMP/both.hosts"
	printf '%s\n' "$@"
}
# A mount namespace of its own with an empty bpffs: no running haystack for
# load to reach, whatever runs on this host.
run_refresh() {	# CONF DIR: exit status in $TMP/refresh.rc, stderr in $TMP/refresh.err
	unshare -m bash -c 'mount -t bpf bpf /sys/fs/bpf && "$@"' _ \
		"$refresh" --config "$1" --dir "$2" --day 2019-11-15 --haystack "$prefix/sbin/haystack" \
		--status "$TMP/refresh-status.json" 2>"$TMP/refresh.err"
	echo $? >"$TMP/refresh.rc"
}

refresh_conf "pdns = $TMP/garbage.jsonl" >"$TMP/refresh-bad.conf"
run_refresh "$TMP/refresh-bad.conf" "$TMP/dicts-bad"
check refresh_bad_pdns_exit_2 test "$(cat "$TMP/refresh.rc")" = 2
check refresh_bad_pdns_says_why grep -q "garbage.jsonl: no usable record" "$TMP/refresh.err"
check refresh_bad_pdns_keeps_current grep -q \
	"haystack-refresh: 2019-11-15: dict build failed (exit 2): nothing loaded, the current dictionary stays" \
	"$TMP/refresh.err"
check refresh_bad_pdns_writes_nothing test ! -e "$TMP/dicts-bad/dictionary-2019-11-15.json"
# the outcome, for haystack status
refresh_status() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["day"], j["result"], j["exit"], j["dictionary"])' "$TMP/refresh-status.json"; }
check refresh_bad_pdns_status test "$(refresh_status)" = "2019-11-15 build_failed 2 $TMP/dicts-bad/dictionary-2019-11-15.json"

refresh_conf >"$TMP/refresh.conf"
run_refresh "$TMP/refresh.conf" "$TMP/dicts"
check refresh_builds_the_day python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["valid_from"] == "2019-11-15T00:00:00Z" and [x["name"] for x in d["domains"]] == ["api.a.example", "api.b.example"], d' \
	"$TMP/dicts/dictionary-2019-11-15.json"
# With no agent to load into, the dictionary is built but not made current.
check refresh_unloaded_fails test "$(cat "$TMP/refresh.rc")" != 0
check refresh_unloaded_says_so grep -q "load did not take .*dictionary-2019-11-15.json" "$TMP/refresh.err"
check refresh_unloaded_not_current test ! -e "$TMP/dicts/current.json"
check refresh_unloaded_status test "$(refresh_status)" = "2019-11-15 load_failed 1 $TMP/dicts/dictionary-2019-11-15.json"
"$refresh" --dir "$TMP/x" 2>"$TMP/refresh.err"
check refresh_needs_config bash -c "[ $? -eq 2 ] && grep -qx 'haystack-refresh: --config is required' '$TMP/refresh.err'"

# With a running agent, under the refresh unit's capabilities: the day's
# dictionary is loaded and made current; a later day's that lost most of its
# domains (an export that came back nearly empty) is refused, and the
# current one stays.
runit=$units/haystack-refresh.service
rcaps=$(setpriv_caps "$(sed -n 's/^CapabilityBoundingSet=//p' "$runit")")
for c in c d; do
	printf '{"format":"haystack-signatures/1","classes":[{"name":"%s","level":"platform","parent":null,"domains":[{"name":"api.%s.example","role":"primary"}]}]}\n' \
		$c $c >"$TMP/sig-$c.json"
done
printf '192.0.2.1 api.a.example\n192.0.2.2 api.b.example\n192.0.2.3 api.c.example\n192.0.2.4 api.d.example\n' >"$TMP/all4.hosts"
printf '192.0.2.1 api.a.example\n' >"$TMP/one.hosts"
for h in all4 one; do
	printf '[dict build]\nhosts = %s\n' "$TMP/$h.hosts" >"$TMP/refresh-$h.conf"
	for c in a b c d; do printf 'signatures = %s\n' "$TMP/sig-$c.json" >>"$TMP/refresh-$h.conf"; done
	printf '[load]\npin = %s\n' "$pin" >>"$TMP/refresh-$h.conf"
done
printf '100.64.0.0/16\n' >"$TMP/subs.txt"
make_veth_ns hs-refresh || { not_ok refresh_live_setup "cannot create a netns"; exit 0; }
ip netns exec "$ns" bash -s "$prefix/sbin/haystack" "$refresh" "$TMP" "$pin" "$rcaps" \
	"$SHARED" >"$TMP/refresh-live.out" 2>&1 <<'EOS'
H=$1 R=$2 T=$3 pin=$4 C=$5
as() { setpriv --inh-caps=-all,$C --ambient-caps=-all,$C --bounding-set=-all,$C -- "$@"; }
timeout 30 "$H" run --iface vb --dict "$T/dicts/dictionary-2019-11-15.json" \
	--subscribers "$T/subs.txt" --pin "$pin" --out /dev/null 2>"$T/refresh-run.err" &
pid=$!
for _ in $(seq 50); do grep -q "attached to" "$T/refresh-run.err" && break; sleep 0.1; done
as "$R" --config "$T/refresh-all4.conf" --dir "$T/live-dicts" --day 2019-11-16 --haystack "$H" \
	2>"$T/refresh-1.err"; echo "first=$?"
readlink "$T/live-dicts/current.json" | sed 's/^/current1=/'
as "$R" --config "$T/refresh-one.conf" --dir "$T/live-dicts" --day 2019-11-17 --haystack "$H" \
	2>"$T/refresh-2.err"; echo "shrunk=$?"
readlink "$T/live-dicts/current.json" | sed 's/^/current2=/'
"$H" status --pin "$pin" --json | python3 -c 'import json,sys; print("loaded=" + ",".join(str(d["domains"]) for d in json.load(sys.stdin)["dictionaries"]))'
kill -TERM $pid; wait $pid
EOS
r=$(cat "$TMP/refresh-live.out")
check refresh_live_loads_exit_0 grep -qx "first=0" <<<"$r"
check refresh_live_made_current grep -qx "current1=dictionary-2019-11-16.json" <<<"$r"
check refresh_live_shrunk_refused grep -qx "shrunk=2" <<<"$r"
check refresh_live_shrunk_says_so grep -q "fewer than half" "$TMP/refresh-2.err"
check refresh_live_current_stays grep -qx "current2=dictionary-2019-11-16.json" <<<"$r"
check refresh_live_agent_has_both grep -qx "loaded=2,4" <<<"$r"
