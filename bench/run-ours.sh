#!/usr/bin/env bash
# Load harness for james-smarthost, measured exactly like the anchor harness bench/anchor-postfix/run.sh
# (a copy of the project's shared ../shared/bench/anchor-postfix, reused as is): Postfix's smtp-source
# drives our MX port, our RemoteDelivery relays to a counting smtp-sink (SMARTHOST_RELAYHOST), and the
# anchor's own measure.py times it (accept = smtp-source exit, delivered = sink counter +COUNT, 10 ms poll).
#
# For every profile: a fresh SMARTHOST_HOME with the profile's conf overlay (bench/profiles.py), the
# assembled distribution started with bin/smarthost run, domain anchor.example added with james-cli
# (the sender domain is ours, as for any smarthost), a JIT warm-up, then SIZES x REPS timed runs.
#
# stdout: one line per run:  profile size sessions count accept_msgs_per_s delivered_msgs_per_s
# details (uptime, times, CPU split) -> $BENCH_DIR/results/runs-<stamp>.tsv; summary -> stderr + results/
# Knobs (env): PROFILES="plain stock full stage-policy stage-rewrite stage-disclaimer stage-dkim stage-archive"
#   SIZES="5000 51200" SESSIONS=20 COUNT=5000 REPS=3 WARMUP=20000 SAMPLE=10 HEAP="-Xms1g -Xmx1g"
#   JAVA_EXTRA="" (more JVM options, same for every profile)  JFR=0|1 JFR_SETTINGS=default|profile (flight recording of each profile's
#   timed runs into HOME/bench.jfr, see docs/BENCHMARKS.md "Profiling")  RUN_TIMEOUT=900  BENCH_DIR=/tmp/bench-ours  PORT_BASE=21000
#   DIST=james-distribution/target/smarthost  SKIP_EMPTY=1 (skip stage-X profiles whose stage has no
#   pack component in this build)  KEEP_HOMES=1
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-ours.sh
. "$HERE/lib-ours.sh"

PROFILES="${PROFILES:-plain stock full stage-policy stage-rewrite stage-disclaimer stage-dkim stage-archive}"
SIZES="${SIZES:-5000 51200}"
SESSIONS="${SESSIONS:-20}"
COUNT="${COUNT:-5000}"
REPS="${REPS:-3}"
# The anchor warms Postfix up with 200 messages. A JVM needs thousands: C2 compiles a method after
# ~10 000 invocations/loop iterations, and the per-message paths run a few times per message, so
# 5000 messages (about 10-30 s) get the hot paths compiled before timing.
WARMUP="${WARMUP:-20000}"
SAMPLE="${SAMPLE:-10}"
HEAP="${HEAP:--Xms1g -Xmx1g}"
JAVA_EXTRA="${JAVA_EXTRA:-}"
JFR="${JFR:-0}"
SKIP_EMPTY="${SKIP_EMPTY:-1}"
KEEP_HOMES="${KEEP_HOMES:-1}"

need_tools
for p in $PROFILES; do
  case " $("$PY" "$HERE/profiles.py" --list) " in *" $p "*) ;; *) echo "unknown profile $p" >&2; exit 2 ;; esac
done

mkdir -p "$B/results" "$B/homes" "$B/run"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
DETAILS="$B/results/runs-$STAMP.tsv"
SUMMARY="$B/results/summary-$STAMP.txt"
PROOF="$B/results/proof-$STAMP.txt"
printf 'profile\tsize\tsessions\tcount\trep\taccept_s\tdeliver_s\taccept_msgs_per_s\tdelivered_msgs_per_s\tcpu_user_pct\tcpu_sys_pct\tcpu_iowait_pct\tcpu_idle_pct\tsource_rc\tuptime_before\n' > "$DETAILS"

cleanup() {
  stop_measure
  stop_ours || true
  stop_dump_sink || true
  stop_sink || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# sample_proof PROFILE HOME: SAMPLE messages per size to a capturing sink; what the chain did to them.
sample_proof() {
  local profile="$1" dir="$B/sink/dump-$1-$STAMP" size j
  stop_sink
  start_dump_sink "$dir"
  for size in $SIZES; do
    measure_bg "$B/sink/dump-counter.out" "$SAMPLE" "$size" 2; j="$MEASURED"
    [ "$(jget "$j" delivered)" -ge "$SAMPLE" ] || log "sample delivery incomplete: $j"
  done
  stop_dump_sink
  start_sink
  echo "== $profile" >> "$PROOF"
  if ! "$PY" "$HERE/verify_sample.py" --domain "$DKIM_DOMAIN" --sizes "$SIZES" \
      --key "$RSA_SELECTOR" "$B/keys/rsa.txt" --key "$ED_SELECTOR" "$B/keys/ed25519.txt" "$dir"/* >> "$PROOF" 2>&1; then
    log "profile $profile: a DKIM signature of the samples does NOT verify or a body lost text (see $PROOF)"
    VERIFY_FAILED=1
  fi
  log "proof $profile: $(tail -1 "$PROOF")"
}

VERIFY_FAILED=0
make_keys
start_sink
log "bench dir $B; dist $DIST; profiles: $PROFILES; sizes: $SIZES; sessions $SESSIONS; count $COUNT; reps $REPS; warm-up $WARMUP; heap $HEAP"
for profile in $PROFILES; do
  home="$B/homes/$profile"
  prepare_home "$profile" "$home"
  log "== profile $profile: stages active $(jfield "$PROFILE_INFO" stages_active); files $(jfield "$PROFILE_INFO" files); removed $(jfield "$PROFILE_INFO" removed); replaced $(jfield "$PROFILE_INFO" replaced)"
  if [ "$(jfield "$PROFILE_INFO" empty)" = true ] && [ "$SKIP_EMPTY" = 1 ]; then
    log "profile $profile skipped: its stage has no pack component in this build (it would measure plain)"
    echo "$profile - - - skipped skipped"
    continue
  fi
  # JFR=1: a flight recording runs from the JVM's start (kept in memory, last minute only), so that the recording
  # of the timed runs below does not switch JFR's instrumentation on mid-run: that invalidates compiled code and
  # sent thousands of methods back to the interpreter and the JIT queue (measured: full 267 -> 102 msg/s)
  jfr_opts=""
  [ "$JFR" = 1 ] && jfr_opts="-XX:StartFlightRecording=name=always,settings=${JFR_SETTINGS:-default},disk=false,maxage=1m"
  start_ours "$home" "$HEAP $JAVA_EXTRA $jfr_opts"
  james_cli "$home" AddDomain "$DKIM_DOMAIN" >/dev/null
  if [ "$WARMUP" -gt 0 ]; then
    measure_bg "$B/sink/counter.out" "$WARMUP" 5000 "$SESSIONS"; j="$MEASURED"
    log "warm-up ($WARMUP msgs): $j"
    if [ "$(jget "$j" delivered)" -lt "$WARMUP" ]; then
      log "profile $profile: only $(jget "$j" delivered) of $WARMUP warm-up messages reached the sink"
      diagnose_home "$home"
      stop_ours
      echo "$profile - - - failed failed"
      continue
    fi
  fi
  # JFR=1: record the timed runs only (after start-up and warm-up), with the same settings as the recording above
  if [ "$JFR" = 1 ]; then
    date +%H:%M:%S > "$home/bench.jfr.since"
    jcmd "$(our_pid)" JFR.start name=bench settings="${JFR_SETTINGS:-default}" >/dev/null
  fi
  for size in $SIZES; do
    for rep in $(seq 1 "$REPS"); do
      sync
      up="$(uptime)"
      log "run $profile size=$size rep=$rep; uptime before:$up"
      measure_bg "$B/sink/counter.out" "$COUNT" "$size" "$SESSIONS"; j="$MEASURED"
      acc="$(jget "$j" accept_msgs_per_s)"; del="$(jget "$j" delivered_msgs_per_s)"
      rc="$(jget "$j" source_rc)"
      [ "$rc" = 0 ] || log "smtp-source rc=$rc: $(jget "$j" source_err)"
      [ "$del" = NA ] && { log "not all delivered: $j"; diagnose_home "$home"; }
      echo "$profile $size $SESSIONS $COUNT $acc $del"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$profile" "$size" "$SESSIONS" "$COUNT" "$rep" \
        "$(jget "$j" accept_s)" "$(jget "$j" deliver_s)" "$acc" "$del" \
        "$(jget "$j" cpu_user_pct)" "$(jget "$j" cpu_sys_pct)" "$(jget "$j" cpu_iowait_pct)" "$(jget "$j" cpu_idle_pct)" \
        "$rc" "$up" >> "$DETAILS"
    done
  done
  if [ "$JFR" = 1 ]; then
    jcmd "$(our_pid)" JFR.stop name=bench filename="$home/bench.jfr" >/dev/null
    log "flight recording of the timed runs: $home/bench.jfr (bench/jfr-top.sh $home/bench.jfr)"
  fi
  [ "$SAMPLE" -gt 0 ] && sample_proof "$profile"
  if grep -q OutOfMemoryError "$home/console.log" "$home"/logs/*.log 2>/dev/null; then log "profile $profile: OutOfMemoryError in the logs!"; fi
  stop_ours
  [ "$KEEP_HOMES" = 1 ] || rm -rf "$home/var"
done

"$PY" - "$DETAILS" > "$SUMMARY" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["profile"], r["size"], r["sessions"], r["count"]), []).append(r)
print("profile size sessions count runs | accept msg/s min/median/max | delivered msg/s min/median/max | cpu user/sys/iowait/idle % (median)")
def mmm(vals):
    v = sorted(float(x) for x in vals if x not in ("NA", ""))
    return "NA" if not v else f"{v[0]:.1f}/{statistics.median(v):.1f}/{v[-1]:.1f}"
for k, rs in groups.items():
    med = lambda c: statistics.median(float(r[c]) for r in rs)
    print(f"{' '.join(k)} {len(rs)} | {mmm(r['accept_msgs_per_s'] for r in rs)} | "
          f"{mmm(r['delivered_msgs_per_s'] for r in rs)} | "
          f"{med('cpu_user_pct'):.0f}/{med('cpu_sys_pct'):.0f}/{med('cpu_iowait_pct'):.0f}/{med('cpu_idle_pct'):.0f}")
PY
cat "$SUMMARY" >&2
[ -s "$PROOF" ] && { log "what each profile did to $SAMPLE sample messages per size ($PROOF):"; grep -E '^(==|proof)' "$PROOF" >&2 || true; }
log "details: $DETAILS"
[ "$VERIFY_FAILED" = 0 ] || { log "DKIM verification of the samples failed"; exit 1; }
