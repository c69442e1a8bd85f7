#!/usr/bin/env bash
# ONE command for the side-by-side benchmark (issue 9): runs the anchor harness (bench/anchor-postfix, a
# verbatim copy of the project's shared ../shared/bench/anchor-postfix: Postfix 3.7 + OpenDKIM on Debian's
# unix-socket milter + the alterMIME pipe filter) and then our distribution (bench/run-ours.sh, every
# profile) on the same machine, back to back, with the same smtp-source load, and prints one table:
#
#   profile | size | accept msg/s | delivered msg/s | x Postfix+OpenDKIM | x Postfix+OpenDKIM+alterMIME |
#   x stock James | overhead vs our plain
#
# (medians over REPS runs; ratios are delivered msg/s over delivered msg/s of the same size).
# Needs root (the anchor's setup.sh installs postfix opendkim opendkim-tools altermime msmtp python3-dkim
# and runs a private Postfix instance) and a built distribution (./smarthost build).
# Everything it started is stopped on exit, also on Ctrl-C.
#
# Knobs (env): SIZES="5000 51200" SESSIONS=20 COUNT=5000 REPS=3 (both sides)
#   ANCHOR_SCENARIOS="plain dkim disclaimer" ANCHOR_WARMUP=200 ANCHOR_SAMPLE=10 ANCHOR_DIR=/tmp/bench-anchor
#   PROFILES=(run-ours.sh default: all) WARMUP=20000 SAMPLE=10 HEAP="-Xms1g -Xmx1g" (ours; see run-ours.sh)
#   SKIP_ANCHOR=1 (reuse the anchor lines of a previous compare run: ANCHOR_RESULTS=FILE)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib-ours.sh
. "$HERE/lib-ours.sh"

export SIZES="${SIZES:-5000 51200}" SESSIONS="${SESSIONS:-20}" COUNT="${COUNT:-5000}" REPS="${REPS:-3}"
export ANCHOR_DIR="${ANCHOR_DIR:-/tmp/bench-anchor}"
export MILTER_SOCKET=unix   # Debian's default (Socket local:...), the anchor's 326/269 msg/s figures
ANCHOR_SCENARIOS="${ANCHOR_SCENARIOS:-plain dkim disclaimer}"
ANCHOR_WARMUP="${ANCHOR_WARMUP:-200}"
ANCHOR_SAMPLE="${ANCHOR_SAMPLE:-10}"
SKIP_ANCHOR="${SKIP_ANCHOR:-0}"

[ "$(id -u)" = 0 ] || [ "$SKIP_ANCHOR" = 1 ] || { echo "compare.sh needs root for the anchor (apt-get, postfix instance)" >&2; exit 1; }
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$B/results/compare-$STAMP"
mkdir -p "$OUT"

CHILD=""
# run_child OUTFILE CMD...: a sub-harness in the background (so a signal reaches our trap at once); its
# stdout lines go to OUTFILE and are printed when it ends (its progress log on stderr is live)
run_child() {
  local out="$1" rc=0; shift
  "$@" > "$out" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  cat "$out"
  return $rc
}

cleanup() {
  [ -z "$CHILD" ] || kill_tree "$CHILD"
  [ "$SKIP_ANCHOR" = 1 ] || "$HERE/anchor-postfix/teardown.sh" >/dev/null 2>&1 || true
  stop_ours || true
  stop_dump_sink || true
  stop_sink || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "load: sizes $SIZES, $SESSIONS sessions, $COUNT messages, $REPS reps; anchor warm-up $ANCHOR_WARMUP, ours ${WARMUP:-20000}"
} > "$OUT/machine.txt"

if [ "$SKIP_ANCHOR" = 1 ]; then
  cp "${ANCHOR_RESULTS:?SKIP_ANCHOR=1 needs ANCHOR_RESULTS=FILE}" "$OUT/anchor.txt"
else
  log "== anchor: setup (MILTER_SOCKET=unix, ANCHOR_DIR=$ANCHOR_DIR)"
  "$HERE/anchor-postfix/setup.sh" >&2
  echo "postfix: $(postconf -d mail_version 2>/dev/null | cut -d' ' -f3), opendkim: $(opendkim -V 2>/dev/null | head -1)" >> "$OUT/machine.txt"
  log "== anchor: run (scenarios $ANCHOR_SCENARIOS)"
  run_child "$OUT/anchor.txt" env SCENARIOS="$ANCHOR_SCENARIOS" WARMUP="$ANCHOR_WARMUP" SAMPLE="$ANCHOR_SAMPLE" \
    "$HERE/anchor-postfix/run.sh" || log "anchor run.sh failed (rc $?): see $ANCHOR_DIR/results"
fi

log "== ours: bench/run-ours.sh"
run_child "$OUT/ours.txt" "$HERE/run-ours.sh" || log "run-ours.sh failed (rc $?)"

"$PY" - "$OUT/anchor.txt" "$OUT/ours.txt" "$OUT/machine.txt" > "$OUT/table.md" <<'PY'
import statistics, sys
notrun = {}
def load(path):
    runs = {}
    for line in open(path):
        f = line.split()
        if len(f) == 6 and f[1] == "-":
            notrun[f[0]] = f[4]
        if len(f) != 6 or not f[1].isdigit():
            continue
        try:
            acc, dl = float(f[4]), float(f[5])
        except ValueError:
            runs.setdefault((f[0], f[1]), [])
            continue
        runs.setdefault((f[0], f[1]), []).append((acc, dl))
    return {k: (statistics.median(a for a, _ in v), statistics.median(d for _, d in v), len(v)) if v else None
            for k, v in runs.items()}
anchor, ours = load(sys.argv[1]), load(sys.argv[2])
print("".join(open(sys.argv[3]).readlines()).rstrip().replace("\n", "  \n"))
print()
sizes = sorted({int(s) for _, s in list(anchor) + list(ours)})
names = {"plain": "Postfix (plain relay)", "dkim": "Postfix + OpenDKIM (unix milter)",
         "disclaimer": "Postfix + alterMIME + OpenDKIM (unix)"}
def ratio(v, ref):
    return "-" if v is None or not ref else f"{v / ref:.2f}x"
print("| profile | size (B) | accept msg/s | delivered msg/s | x Postfix+OpenDKIM | x Postfix+OpenDKIM+alterMIME | x stock James | overhead vs our plain |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for sc in ("plain", "dkim", "disclaimer"):
    for s in sizes:
        r = anchor.get((sc, str(s)))
        if r:
            print(f"| anchor: {names[sc]} | {s} | {r[0]:.1f} | {r[1]:.1f} | - | - | - | - |")
order = ["plain", "stock", "full"] + sorted({p for p, _ in ours if p.startswith("stage-")} | set(notrun))
for p in order:
    if p in notrun:
        why = "skipped: stage not wired in this build" if notrun[p] == "skipped" else "FAILED: see run-ours log"
        print(f"| {p} | - | {why} | | | | | |")
        continue
    for s in sizes:
        if (p, str(s)) not in ours:
            continue
        r = ours[(p, str(s))]
        if r is None:
            print(f"| {p} | {s} | skipped/failed | | | | | |")
            continue
        ref = lambda t, k: (t.get((k, str(s))) or (None, None, 0))[1]
        plain = ref(ours, "plain")
        over = "-" if not plain or p == "plain" else f"{(1 - r[1] / plain) * 100:+.1f} %".replace("+-", "-")
        print(f"| {p} | {s} | {r[0]:.1f} | {r[1]:.1f} | {ratio(r[1], ref(anchor, 'dkim'))} | "
              f"{ratio(r[1], ref(anchor, 'disclaimer'))} | {ratio(r[1], ref(ours, 'stock'))} | {over} |")
print()
print("Targets (issue 9): full >= 1.0x Postfix+OpenDKIM and >= 3x Postfix+OpenDKIM+alterMIME (delivered msg/s, 5 KB and 50 KB);"
      " full-chain overhead <= 15 % vs plain. Overhead = 1 - profile/plain delivered msg/s (negative: faster than plain).")
PY
echo
cat "$OUT/table.md"
log "raw lines and table: $OUT (our details: $B/results, anchor details: $ANCHOR_DIR/results)"
