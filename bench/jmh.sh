#!/usr/bin/env bash
# JMH microbenchmarks of the core hot paths (module benchmarks/: relay decision, disclaimer per MIME shape,
# archive append, SRS, DKIM signing, and whatever else the module holds), with `openssl speed` printed first
# as the hardware reference (signs/s of one core; RSA-2048 and Ed25519). bench/jmh-dkim.sh is the DKIM-only
# run with the -elapsed comparison recorded in docs/BENCHMARKS.md.
#
# usage: bench/jmh.sh [JMH options and benchmark regexps]
#   bench/jmh.sh                              every benchmark with its own defaults (about 10 minutes)
#   bench/jmh.sh RelayDecisionBench SrsBench  only these
#   bench/jmh.sh -f 0 -wi 0 -i 1 -r 100ms     smoke run (no fork, one short iteration each)
#   bench/jmh.sh -lp                          list benchmarks and parameters
# Env: OPENSSL_SECONDS=3 (0: skip openssl speed), BUILD=auto|1|0 (auto: build benchmarks.jar when missing
#   or older than the sources), JMH_RESULTS=benchmarks/target/jmh-<stamp>.json
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD="$REPO/benchmarks"
JAR="$MOD/target/benchmarks.jar"
BUILD="${BUILD:-auto}"
OPENSSL_SECONDS="${OPENSSL_SECONDS:-3}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
JMH_RESULTS="${JMH_RESULTS:-$MOD/target/jmh-$STAMP.json}"

stale() {
  [ -s "$JAR" ] || return 0
  [ -n "$(find "$MOD/src" "$MOD/pom.xml" "$REPO/core/src/main" -newer "$JAR" -type f -print -quit)" ]
}
if [ "$BUILD" = 1 ] || { [ "$BUILD" = auto ] && stale; }; then
  echo "jmh.sh: building benchmarks/target/benchmarks.jar (mvn package -pl benchmarks -am, tests skipped) ..." >&2
  (cd "$REPO" && mvn -q -B -o -pl benchmarks -am package -DskipTests -Dsmarthost.skipTar=true) \
    || (cd "$REPO" && mvn -q -B -pl benchmarks -am package -DskipTests -Dsmarthost.skipTar=true)
fi

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(java -version 2>&1 | head -1); $(openssl version)"
if [ "$OPENSSL_SECONDS" != 0 ]; then
  echo "== hardware reference: openssl speed -seconds $OPENSSL_SECONDS rsa2048 ed25519 (one core)"
  openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 ed25519 2>/dev/null | grep -E 'sign/s|bits|^version' || true
fi
echo "== JMH (results: $JMH_RESULTS)"
# shellcheck disable=SC2046
exec java -jar "$JAR" -rf json -rff "$JMH_RESULTS" "$@"
