#!/usr/bin/env bash
# DKIM signing benchmark (JMH) next to OpenSSL's raw signing speed on the same machine.
#
#   bench/jmh-dkim.sh                 default: 3 warm-up + 5 measurement iterations of 2 s, 1 fork
#   bench/jmh-dkim.sh -wi 2 -i 3 -f 1 short run (any JMH options are passed on)
#
# Prints: the JMH table (sign = whole message: headers + streamed body hash + one signature, per body size;
# rawSign = the private-key operation alone), then `openssl speed -seconds 3 rsa2048 ed25519`.
# Results and the ratio to OpenSSL are recorded in docs/BENCHMARKS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
OPTS=("$@")
if [ ${#OPTS[@]} -eq 0 ]; then
    OPTS=(-wi 3 -i 5 -w 2s -r 2s -f 1)
fi

echo "== building benchmarks/target/benchmarks.jar"
mvn -q -B package -pl benchmarks -am -DskipTests -Dsmarthost.skipTar=true

echo "== machine: $(nproc) CPU(s), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -version 2>&1 | head -1

echo "== JMH: DKIM sign per message (ops/s = messages/s, one thread)"
"$JAVA" -jar benchmarks/target/benchmarks.jar 'DkimSignBenchmark.sign$' "${OPTS[@]}" -t 1 -rf text -rff benchmarks/target/jmh-sign.txt
echo "== JMH: private-key operation alone (ops/s = signs/s, one thread)"
"$JAVA" -jar benchmarks/target/benchmarks.jar 'DkimSignBenchmark.rawSign$' -p bodyBytes=1024 "${OPTS[@]}" -t 1 -rf text -rff benchmarks/target/jmh-raw.txt

echo "== openssl speed -seconds 3 rsa2048 ed25519 (one process = one core; divides by CPU time, so load does not show)"
openssl version
openssl speed -seconds 3 rsa2048 ed25519 2>/dev/null | tail -4
echo "== openssl speed -elapsed -seconds 3 rsa2048 ed25519 (wall clock, like JMH: the fair comparison on a loaded machine)"
openssl speed -elapsed -seconds 3 rsa2048 ed25519 2>/dev/null | tail -4
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
