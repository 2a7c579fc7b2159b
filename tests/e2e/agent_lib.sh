# SPDX-License-Identifier: GPL-2.0
# For the scripts the end-to-end tests run inside their netns (ip netns
# exec ... bash -s): waiting on a live agent, $H (the haystack binary).

# counter NAME: the counter's value, from status.
counter() { "$H" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1"; }
# wait_counter NAME VALUE: until the counter reads VALUE, for 5 s at most.
wait_counter() {
	for _ in $(seq 50); do [ "$(counter "$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
# started FILE: until the agent writing its stderr to FILE attached, for
# 30 s at most (a loaded machine).
started() { for _ in $(seq 300); do grep -q "attached to" "$1" 2>/dev/null && return; sleep 0.1; done; }
