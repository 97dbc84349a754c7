#!/usr/bin/env bash
# test_net_sensors.sh -- Suricata EVE JSON and Zeek JSON logs decode into
# the ECS fields vigil's own flows carry (format detected, sensor alerts
# are event.kind "alert"). The fixtures were written by hand in the
# formats' documented layout: neither Suricata nor Zeek is installable on
# the project's machines.
set -u
: "${VIGIL_BIN:?}"
: "${VIGIL_SOURCE_DIR:?}"
fx=$VIGIL_SOURCE_DIR/tests/fixtures/net
fail=0
check() { # file python-assertions
    if ! "$VIGIL_BIN" parse -v "$1" 2>/tmp/vigil-sensor-$$.err |
        python3 -c "import json, sys
rows = [json.loads(l) for l in sys.stdin]
$2"; then
        echo "FAIL: $1"
        cat /tmp/vigil-sensor-$$.err
        fail=1
    fi
    rm -f /tmp/vigil-sensor-$$.err
}
check "$fx/eve.json" '
a, fl, dns, tls, http = rows
assert a["event.kind"] == "alert" and a["rule.id"] == 2024217, a
assert a["source.ip"] == "10.16.1.11" and a["destination.port"] == 445
assert a["network.transport"] == "tcp" and a["@timestamp"] == "2017-04-07T21:24:37.251547Z"
assert fl["source.bytes"] == 2048 and fl["destination.packets"] == 10
assert fl["network.protocol"] == "tls" and fl["event.dataset"] == "suricata.flow"
assert dns["dns.question.name"] == "example.org" and dns["dns.question.type"] == "TXT"
assert tls["tls.client.server_name"] == "example.org"
assert tls["tls.client.ja3"] == "97737df38853b88c4324af06e211c4a1"
assert http["url.domain"] == "homealldaylong.com" and http["http.request.method"] == "POST"
assert http["http.response.status_code"] == 200
'
check "$fx/zeek.json" '
conn, dns, http, ssl, notice = rows
assert conn["event.dataset"] == "zeek.conn" and conn["source.ip"] == "192.168.4.76"
assert conn["destination.port"] == 53 and conn["network.protocol"] == "dns"
assert conn["source.bytes"] == 62 and conn["@timestamp"] == "2020-06-05T14:39:59.305988Z"
assert dns["dns.question.name"] == "testmyids.com" and dns["dns.response_code"] == "NOERROR"
assert http["url.domain"] == "testmyids.com" and http["http.request.method"] == "GET"
assert ssl["event.dataset"] == "zeek.ssl" and ssl["tls.client.server_name"] == "www.taosecurity.com"
assert notice["event.kind"] == "alert" and notice["rule.name"] == "Scan::Port_Scan"
assert notice["source.ip"] == "192.168.4.49"
'
[ $fail -eq 0 ] && echo PASS
exit $fail
