#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The dictionary builder through the real binary: a small synthetic world
# (COF, SAF, certificates, bad input), then the paper's published signatures
# with the testbed's hosts file as passive DNS, replayed through the XDP
# program.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

IOT_WILD=$SHARED/data/iot_wild
HOSTS=$SHARED/data/intl_iot/tshark_all.hosts
DAY=2019-11-15
T0=1573776000	# $DAY 00:00:00Z

# ---- a synthetic world ----

cat >"$TMP/sig.json" <<'EOF'
{ "format": "haystack-signatures/1",
  "classes": [
    { "name": "vendor", "level": "manufacturer", "parent": null,
      "domains": [ { "name": "api.vendor.com", "role": "primary", "ports": ["tcp/443"] },
                   { "name": "cdn.vendor.com", "role": "primary", "ports": ["tcp/443"] },
                   { "name": "cert.vendor.com", "role": "primary", "ports": ["tcp/8883"] },
                   { "name": "nodata.vendor.com", "role": "primary" } ] },
    { "name": "vendor-cam", "level": "product", "parent": "vendor",
      "domains": [ { "name": "time.vendor.com", "role": "support", "ports": ["udp/123"] } ] },
    { "name": "orphan", "level": "product", "parent": null, "domains": [] }
  ] }
EOF
cof() { printf '{"rrname":"%s","rrtype":"%s","rdata":%s,"time_first":%d,"time_last":%d}\n' "$@"; }
{
	cof api.vendor.com. A '["192.0.2.1","192.0.2.2"]' $((T0 - 100)) $((T0 + 100))
	cof www.vendor.com. A '"192.0.2.2"' $((T0 + 10)) $((T0 + 20))
	cof cdn.vendor.com. CNAME '"e1.akamaiedge.net."' $((T0 + 10)) $((T0 + 20))
	cof e1.akamaiedge.net. A '"192.0.2.50"' $((T0 + 10)) $((T0 + 20))
	cof www.shop.example. CNAME '"e1.akamaiedge.net."' $((T0 + 10)) $((T0 + 20))
	cof time.vendor.com. AAAA '"2001:db8::123"' $((T0 + 10)) $((T0 + 20))
	# the next day only: does not count
	cof api.vendor.com. A '"192.0.2.99"' $((T0 + 86400)) $((T0 + 90000))
} >"$TMP/cof.jsonl"
{
	echo '{"cond":"begin"}'
	printf '{"obj":%s}\n' "$(cof www.other.example. A '"192.0.2.77"' $T0 $T0)"
	echo '{"cond":"succeeded"}'
} >"$TMP/saf.jsonl"
cat >"$TMP/censys.jsonl" <<'EOF'
{"ip":"198.51.100.1","port":8883,"names":["cert.vendor.com"],"fingerprint":"f1","banner_hash":"b1"}
{"ip":"198.51.100.2","port":8883,"names":["cert.vendor.com"],"fingerprint":"f1","banner_hash":"b1"}
{"ip":"198.51.100.3","port":8883,"names":["*.vendor.com","www.shop.example"],"fingerprint":"f2","banner_hash":"b1"}
EOF

build() {
	"$HAYSTACK" dict build --signatures "$TMP/sig.json" --day $DAY \
		--pdns "$TMP/cof.jsonl" "$TMP/saf.jsonl" --censys "$TMP/censys.jsonl" "$@"
}

build -o "$TMP/d1.json" --explain "$TMP/e1.json" 2>"$TMP/build.err"
check dictbuild_synthetic_decisions python3 - "$TMP/d1.json" "$TMP/e1.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
kept = {x["name"]: x for x in d["domains"]}
excl = {x["name"]: x["reason"] for x in d["excluded"]}
undet = {x["name"]: x["reason"] for x in d["undetectable"]}
assert kept["api.vendor.com"]["prefixes"] == ["192.0.2.1/32", "192.0.2.2/32"], kept
assert kept["api.vendor.com"]["ports"] == ["tcp/443"]
assert kept["cert.vendor.com"]["prefixes"] == ["198.51.100.1/32", "198.51.100.2/32"], kept
assert excl == {"cdn.vendor.com": "shared", "nodata.vendor.com": "unknown",
                "time.vendor.com": "no-primary-left"}, excl
assert undet == {"orphan": "no-domains", "vendor-cam": "no-primary-left"}, undet
ev = {x["name"]: x for x in e["domains"]}
assert ev["cdn.vendor.com"]["addresses"][0]["foreign"] == ["www.shop.example"]
assert ev["cert.vendor.com"]["certificates"] == ["f1 b1"]
EOF
check dictbuild_summary grep -q "5 IoT-specific domains: 2 dedicated, 1 shared, 2 unknown.*1 of them recovered by certificates.*1 excluded for no primary left" "$TMP/build.err"

build -o "$TMP/d2.json" --explain "$TMP/e2.json" 2>/dev/null
check dictbuild_deterministic cmp "$TMP/d1.json" "$TMP/d2.json"
check dictbuild_explain_deterministic cmp "$TMP/e1.json" "$TMP/e2.json"

# A SAF stream that stopped at a limit is said to be incomplete; --strict refuses it.
sed 's/succeeded/limited/' "$TMP/saf.jsonl" >"$TMP/saf-limited.jsonl"
"$HAYSTACK" dict build --signatures "$TMP/sig.json" --day $DAY --pdns "$TMP/saf-limited.jsonl" \
	-o "$TMP/d3.json" 2>"$TMP/limited.err"
check dictbuild_saf_limited_reported grep -q "saf-limited.jsonl:3: DNSDB stream ended 'limited'" "$TMP/limited.err"

# Bad input: one line naming file:line, exit 2, no output file.
expect_bad() {
	local name=$1 pattern=$2 rc
	shift 2
	rm -f "$TMP/bad.json"
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -qE -- "$pattern" "$TMP/err" &&
		[ ! -e "$TMP/bad.json" ] && ! ls "$TMP"/bad.json.* >/dev/null 2>&1; then
		ok "$name"
	else
		not_ok "$name" "exit $rc" "$(cat "$TMP/err")"
	fi
}
{ head -2 "$TMP/cof.jsonl"; echo '{"rrname":"x.vendor.com","rrtype":"A"'; } >"$TMP/broken.jsonl"
expect_bad dictbuild_strict_names_line "broken.jsonl:3: invalid JSON" \
	"$HAYSTACK" dict build --strict --signatures "$TMP/sig.json" --day $DAY --pdns "$TMP/broken.jsonl" -o "$TMP/bad.json"
expect_bad dictbuild_strict_saf_limited "saf-limited.jsonl:3: DNSDB stream ended 'limited'" \
	"$HAYSTACK" dict build --strict --signatures "$TMP/sig.json" --day $DAY --pdns "$TMP/saf-limited.jsonl" -o "$TMP/bad.json"
expect_bad dictbuild_bad_day "--day 2019-02-30" \
	"$HAYSTACK" dict build --signatures "$TMP/sig.json" --day 2019-02-30 -o "$TMP/bad.json"
sed 's/"support"/"helper"/' "$TMP/sig.json" >"$TMP/sig-bad.json"
expect_bad dictbuild_bad_signatures "sig-bad.json: classes\[1\] 'vendor-cam': .*role" \
	"$HAYSTACK" dict build --signatures "$TMP/sig-bad.json" --day $DAY -o "$TMP/bad.json"
expect_bad dictbuild_missing_option "--signatures, --day and -o are required" \
	"$HAYSTACK" dict build --day $DAY -o "$TMP/bad.json"
"$HAYSTACK" dict build --signatures "$TMP/sig.json" --day $DAY --pdns "$TMP/broken.jsonl" \
	-o "$TMP/d4.json" 2>"$TMP/lenient.err"
check dictbuild_lenient_counts_bad_lines grep -q "broken.jsonl: skipped 1 malformed line of 3 (first at line 3" "$TMP/lenient.err"
check dictbuild_lenient_builds python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [x["name"] for x in d["domains"]] == ["api.vendor.com"], d["domains"]' "$TMP/d4.json"
# Passive DNS of which not one line could be read is not passive DNS (an
# error page saved by a download): no dictionary that monitors nothing.
printf '<html>503 Service Unavailable</html>\n{"rrname":"a.vendor.com"}\n' >"$TMP/garbage.jsonl"
expect_bad dictbuild_wholly_malformed_pdns "garbage.jsonl: no usable record: 2 of 2 lines malformed \\(first at line 1: " \
	"$HAYSTACK" dict build --signatures "$TMP/sig.json" --day $DAY --pdns "$TMP/cof.jsonl" "$TMP/garbage.jsonl" -o "$TMP/bad.json"
printf 'not-an-address\n' >"$TMP/garbage.hosts"
expect_bad dictbuild_wholly_malformed_hosts "garbage.hosts: no usable record: 1 of 1 lines malformed" \
	"$HAYSTACK" dict build --signatures "$TMP/sig.json" --day $DAY --hosts "$TMP/garbage.hosts" -o "$TMP/bad.json"
# A SAF stream with no results is complete and empty, not malformed.
printf '{"cond":"begin"}\n{"cond":"succeeded"}\n' >"$TMP/saf-empty.jsonl"
check dictbuild_empty_saf_builds "$HAYSTACK" dict build --signatures "$TMP/sig.json" --day $DAY \
	--pdns "$TMP/saf-empty.jsonl" -o "$TMP/d5.json"

# ---- the paper's signatures, the testbed's hosts file ----

if [ ! -d "$IOT_WILD" ] || [ ! -f "$HOSTS" ] || ! have_fixtures; then
	for t in dictbuild_iot_wild_import dictbuild_real_structure dictbuild_real_deterministic \
		dictbuild_real_replays; do
		skip "$t" "needs $IOT_WILD, $HOSTS and $FIXTURES (the shared data)"
	done
	exit 0
fi

"$HAYSTACK" signatures import --iot-wild "$IOT_WILD" -o "$TMP/iot-wild.json" 2>"$TMP/import.err"
check dictbuild_iot_wild_import python3 - "$TMP/iot-wild.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in s["classes"]}
# the paper's hierarchy: Alexa Enabled > Amazon products > Fire TV; Samsung IoT > Samsung TV
assert c["alexa-enabled"]["level"] == "platform" and c["alexa-enabled"]["parent"] is None
assert c["amazon-products"]["parent"] == "alexa-enabled"
assert c["firetv"]["parent"] == "amazon-products" and c["firetv"]["level"] == "product"
assert c["samsungtv-wired"]["parent"] == "samsung-iot"
assert c["samsung-iot"]["level"] == "manufacturer"
ports = {d["name"]: d["ports"] for x in s["classes"] for d in x["domains"]}
assert ports["ntp-g7g.amazon.com"] == ["udp/123"]
assert ports["iot.meross.com"] == ["tcp/2001", "udp/2001"]
assert all(not d["name"].endswith(".") for x in s["classes"] for d in x["domains"])
EOF

"$HAYSTACK" dict build --signatures "$TMP/iot-wild.json" --day $DAY --hosts "$HOSTS" \
	-o "$TMP/real.json" --explain "$TMP/real-explain.json" 2>"$TMP/real.err"
check dictbuild_real_structure python3 - "$TMP/iot-wild.json" "$TMP/real.json" <<'EOF'
import ipaddress, json, sys
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
kept = {x["name"] for x in d["domains"]}
excl = {x["name"] for x in d["excluded"]}
assert not kept & excl, kept & excl
sig_domains = {y["name"] for x in s["classes"] for y in x["domains"]}
assert kept | excl == sig_domains
for x in d["domains"]:
    for p in x["prefixes"]:
        ipaddress.ip_network(p)
detectable = {c for x in d["domains"] for c in x["classes"]}
undet = {x["name"] for x in d["undetectable"]}
for c in s["classes"]:
    assert (c["name"] in detectable) or (c["name"] in undet), c["name"]
EOF
"$HAYSTACK" dict build --signatures "$TMP/iot-wild.json" --day $DAY --hosts "$HOSTS" \
	-o "$TMP/real2.json" 2>/dev/null
check dictbuild_real_deterministic cmp "$TMP/real.json" "$TMP/real2.json"
check dictbuild_real_replays "$HAYSTACK" replay --dict "$TMP/real.json" \
	--subscribers "$FIXTURES/subscribers.txt" --out "$TMP/real-reports.jsonl" "$FIXTURES/export-v5.pcap"
# the counts beside the paper's, for whoever reads the log
sed -n 's/^haystack: dict build/# dict build/p' "$TMP/real.err"
echo "# paper (IMC 2020, §4.2): 434 IoT-specific domains: 217 dedicated, 202 shared, 15 without data"
