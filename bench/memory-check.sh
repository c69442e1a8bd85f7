#!/usr/bin/env bash
# Memory check (issue 9): one 50 MB message, then a burst of 200 x 1 MB (20 sessions), through a profile
# (default: full, our whole chain) with SMARTHOST_JAVA_OPTS=-Xmx256m. Passes when no OutOfMemoryError
# appears in any log and every message reached the smtp-sink upstream. Reports the peak heap:
#   - peak used heap, sampled every 250 ms with jstat -gc (eden + survivors + old),
#   - peak heap after young/mixed/full GC (about the live set) from the unified GC log (-Xlog:gc),
#   - the GC count and the total GC pause time.
# Same load tools as the throughput harness: smtp-source / smtp-sink (Postfix), the anchor's measure.py.
# Message size: the MX port accepts up to 51200 KB (conf/smtpserver.xml maxmessagesize), so "50 MB" is a
# body of 50 000 000 bytes (SIZE_BIG) plus about 150 bytes of headers.
# Knobs (env): PROFILE=full HEAP_OPTS=-Xmx256m SIZE_BIG=50000000 BURST=200 SIZE_BURST=1048576 SESSIONS=20
#   BENCH_DIR=/tmp/bench-memory PORT_BASE=21100 DIST=... RUN_TIMEOUT=900
set -euo pipefail
export BENCH_DIR="${BENCH_DIR:-/tmp/bench-memory}"
export PORT_BASE="${PORT_BASE:-21100}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-ours.sh
. "$HERE/lib-ours.sh"

PROFILE="${PROFILE:-full}"
HEAP_OPTS="${HEAP_OPTS:--Xmx256m}"
SIZE_BIG="${SIZE_BIG:-50000000}"
BURST="${BURST:-200}"
SIZE_BURST="${SIZE_BURST:-1048576}"
SESSIONS="${SESSIONS:-20}"

need_tools
command -v jstat >/dev/null || { echo "missing jstat (JDK)" >&2; exit 1; }
home="$B/homes/$PROFILE"
cleanup() {
  stop_measure
  stop_pidfile "$B/run/jstat.pid" || true
  stop_ours || true
  stop_sink || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make_keys
prepare_home "$PROFILE" "$home"
mkdir -p "$home/logs"
log "profile $PROFILE: stages active $(jfield "$PROFILE_INFO" stages_active); JVM $HEAP_OPTS"
start_sink
start_ours "$home" "$HEAP_OPTS -Xlog:gc:file=$home/logs/gc.log:uptime"
james_cli "$home" AddDomain "$DKIM_DOMAIN" >/dev/null
pid="$(our_pid)"
jstat -gc "$pid" 250 > "$home/logs/jstat.txt" 2>&1 &
echo $! > "$B/run/jstat.pid"

log "one message of $SIZE_BIG bytes"
measure_bg "$B/sink/counter.out" 1 "$SIZE_BIG" 1; j1="$MEASURED"
log "  $j1"
log "burst: $BURST messages of $SIZE_BURST bytes, $SESSIONS sessions"
measure_bg "$B/sink/counter.out" "$BURST" "$SIZE_BURST" "$SESSIONS"; j2="$MEASURED"
log "  $j2"
sleep 1
stop_pidfile "$B/run/jstat.pid"
max_heap_mb="$(jcmd "$pid" VM.flags 2>/dev/null | grep -o -- '-XX:MaxHeapSize=[0-9]*' | head -1 | cut -d= -f2 | awk '{printf "%.0f", $1/1048576}')"
stop_ours

oom="$(grep -l OutOfMemoryError "$home/console.log" "$home"/logs/*.log 2>/dev/null || true)"
"$PY" - "$home/logs/jstat.txt" "$home/logs/gc.log" "$j1" "$j2" "$BURST" "${max_heap_mb:-?}" "$oom" <<'PY'
import json, re, sys
jstat, gclog, j1, j2, burst, maxheap, oom = sys.argv[1:8]
peak = 0.0
cols = None
for line in open(jstat):
    f = line.split()
    if f and f[0] == "S0C":
        cols = f
        continue
    if cols and len(f) == len(cols):
        try:
            # "-": a column the collector does not have (ParallelGC has no concurrent cycles: CGC, CGCT)
            v = dict(zip(cols, (0.0 if x == "-" else float(x) for x in f)))
        except ValueError:
            continue
        peak = max(peak, (v["S0U"] + v["S1U"] + v["EU"] + v["OU"]) / 1024)
after, pauses, total_ms = 0, 0, 0.0
for line in open(gclog):
    m = re.search(r"(\d+)M->(\d+)M\((\d+)M\)\s+([\d.]+)ms", line)
    if m:
        pauses += 1
        total_ms += float(m.group(4))
        # after an evacuating pause (young, mixed, full) the heap holds about the live set; Remark and
        # Cleanup pauses free nothing and are not counted here
        if "Pause Young" in line or "Pause Full" in line:
            after = max(after, int(m.group(2)))
r1, r2 = json.loads(j1), json.loads(j2)
ok1, ok2 = r1["delivered"] >= 1, r2["delivered"] >= int(burst)
print(f"memory-check: big message {'delivered' if ok1 else 'NOT delivered'} (accept {r1['accept_s']} s, delivered {r1['deliver_s']} s); "
      f"burst {r2['delivered']}/{burst} delivered (accept {r2['accept_s']} s, delivered {r2['deliver_s']} s)")
print(f"memory-check: max heap {maxheap} MB; peak used heap (jstat, 250 ms) {peak:.0f} MB; peak heap after young/mixed/full GC {after} MB; "
      f"{pauses} GC pauses, {total_ms:.0f} ms in total")
print(f"memory-check: OutOfMemoryError: {'FOUND in ' + oom if oom else 'none'}")
print("memory-check: " + ("PASS" if ok1 and ok2 and not oom else "FAIL"))
sys.exit(0 if ok1 and ok2 and not oom else 1)
PY
