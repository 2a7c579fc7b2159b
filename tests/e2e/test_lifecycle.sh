#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run --keep leaves the program attached and the maps pinned; status reads
# them; a second run refuses to count twice; detach removes both.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

id=$(uniq_id)
ns=hs-$id
dict=signatures/sample-dictionary.json
subs=signatures/sample-subscribers.txt

ip netns add "$ns" || { not_ok lifecycle_setup "cannot create netns $ns"; exit 1; }
on_exit ip netns del "$ns"
ip -n "$ns" link add va type veth peer name vb
ip -n "$ns" link set va up
ip -n "$ns" link set vb up

# One mount namespace for the whole sequence: the bpffs haystack mounts
# inside `ip netns exec` lives as long as that namespace.
ip netns exec "$ns" bash -s "$HAYSTACK" "$dict" "$subs" >"$TMP/out" 2>&1 <<'EOS'
H=$1 D="--dict $2 --subscribers $3"
timeout 20 "$H" run --iface va $D --keep 2>run.err &
pid=$!
for _ in $(seq 50); do grep -q "attached to" run.err 2>/dev/null && break; sleep 0.1; done
kill -TERM $pid; wait $pid; echo "keep_exit=$?"
ip link show va | grep -q "prog/xdp" && echo "still_attached=1"
[ -e /sys/fs/bpf/haystack/evidence ] && echo "still_pinned=1"
"$H" status --json >/dev/null && echo "status_ok=1"
timeout 20 "$H" run --iface va $D 2>second.err; echo "second_exit=$?"
grep -q "already attached to va" second.err && echo "second_refused=1"
"$H" detach --iface va; echo "detach_exit=$?"
ip link show va | grep -q "prog/xdp" || echo "detached=1"
[ -e /sys/fs/bpf/haystack ] || echo "unpinned=1"
rm -f run.err second.err
EOS
r=$(cat "$TMP/out")
check lifecycle_keep_exits_0 grep -q "keep_exit=0" <<<"$r"
check lifecycle_keep_stays_attached grep -q "still_attached=1" <<<"$r"
check lifecycle_keep_stays_pinned grep -q "still_pinned=1" <<<"$r"
check lifecycle_status_reads_pins grep -q "status_ok=1" <<<"$r"
check lifecycle_second_run_refused grep -q "second_refused=1" <<<"$r"
check lifecycle_detach_exits_0 grep -q "detach_exit=0" <<<"$r"
check lifecycle_detach_removes_program grep -q "detached=1" <<<"$r"
check lifecycle_detach_unpins grep -q "unpinned=1" <<<"$r"
