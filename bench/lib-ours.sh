# Shared settings and helpers of our side of the benchmark (run-ours.sh, memory-check.sh, compare.sh).
# Modelled on the anchor harness (bench/anchor-postfix/lib.sh, a copy of the project's shared
# ../shared/bench/anchor-postfix): same smtp-sink counting sink, same measure.py, pidfile-based stop.
# Everything lives under BENCH_DIR (default /tmp/bench-ours); nothing outside it is written.
# shellcheck shell=bash

BENCH_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_HERE/.." && pwd)"
B="${BENCH_DIR:-/tmp/bench-ours}"
case "$B" in /*) ;; *) echo "BENCH_DIR must be an absolute path" >&2; exit 2 ;; esac
DIST="${DIST:-$REPO/james-distribution/target/smarthost}"

# Loopback-only ports PORT_BASE+25..+31 (default 21025-21031; the anchor uses 20025-20028).
PORT_BASE="${PORT_BASE:-21000}"
OUR_SMTP_PORT=$((PORT_BASE + 25))      # our MX-port SMTP listener: smtp-source sends here
OUR_SINK_PORT=$((PORT_BASE + 26))      # smtp-sink, the upstream (SMARTHOST_RELAYHOST)
OUR_SUBMISSION_PORT=$((PORT_BASE + 27))
OUR_SMTPS_PORT=$((PORT_BASE + 28))
OUR_POP3_PORT=$((PORT_BASE + 29))
OUR_JMX_PORT=$((PORT_BASE + 30))
OUR_WEBADMIN_PORT=$((PORT_BASE + 31))

# Same envelope and HELO as the anchor (bench/anchor-postfix/lib.sh, run.sh).
DKIM_DOMAIN=anchor.example
SENDER="bench@${DKIM_DOMAIN}"
RECIPIENT="rcpt@sink.example"
HELO_NAME="anchor-client.example"
RSA_SELECTOR=benchrsa
ED_SELECTOR=benched
PY=/usr/bin/python3

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidfile_alive() { [ -s "$1" ] && pid_alive "$(cat "$1")"; }

# stop_pidfile FILE [SECONDS]: SIGTERM the PID in FILE (only that PID), wait, then SIGKILL.
stop_pidfile() {
  local f="$1" wait_s="${2:-5}" pid i
  [ -s "$f" ] || { rm -f "$f"; return 0; }
  pid="$(cat "$f")"
  if pid_alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 $((wait_s * 10))); do pid_alive "$pid" || break; sleep 0.1; done
    pid_alive "$pid" && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# kill_tree PID: SIGTERM a process this script started and all its descendants (found by parent id).
kill_tree() {
  local pid="$1" child
  [ -n "$pid" ] || return 0
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill_tree "$child"; done
  kill "$pid" 2>/dev/null || true
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_tools() {
  local t
  for t in smtp-source smtp-sink openssl "$PY"; do
    command -v "$t" >/dev/null || { echo "missing $t: apt-get install postfix openssl python3 (postfix gives smtp-source/smtp-sink; bench/anchor-postfix/setup.sh installs it without configuring the system instance)" >&2; exit 1; }
  done
  [ -x "$DIST/bin/smarthost" ] || { echo "no distribution at $DIST: run ./smarthost build (or mvn package) first" >&2; exit 1; }
}

# ---------------------------------------------------------------- smtp-sink (as in the anchor)
start_sink() {
  mkdir -p "$B/run" "$B/sink"
  pidfile_alive "$B/run/sink.pid" && return 0
  port_free "$OUR_SINK_PORT" || { echo "port $OUR_SINK_PORT is busy" >&2; return 1; }
  : > "$B/sink/counter.out"
  setsid smtp-sink -u nobody -4 -c "127.0.0.1:${OUR_SINK_PORT}" 1024 >"$B/sink/counter.out" 2>"$B/sink/sink.err" </dev/null &
  echo $! > "$B/run/sink.pid"
  sleep 0.3
  pidfile_alive "$B/run/sink.pid" || { echo "smtp-sink did not start" >&2; cat "$B/sink/sink.err" >&2; return 1; }
}
stop_sink() { stop_pidfile "$B/run/sink.pid"; }

start_dump_sink() {
  local dir="$1"
  pidfile_alive "$B/run/dumpsink.pid" && return 0
  mkdir -p "$dir"; chown nobody "$dir" 2>/dev/null || chmod 777 "$dir"
  setsid smtp-sink -u nobody -4 -c -d "$dir/" "127.0.0.1:${OUR_SINK_PORT}" 1024 >"$B/sink/dump-counter.out" 2>"$B/sink/dumpsink.err" </dev/null &
  echo $! > "$B/run/dumpsink.pid"
  sleep 0.3
  pidfile_alive "$B/run/dumpsink.pid" || { echo "dump smtp-sink did not start" >&2; cat "$B/sink/dumpsink.err" >&2; return 1; }
}
stop_dump_sink() { stop_pidfile "$B/run/dumpsink.pid"; }

sink_count() { grep -ao 'mesg=[0-9]*' "${1:-$B/sink/counter.out}" 2>/dev/null | tail -1 | cut -d= -f2 || true; }

# ---------------------------------------------------------------- DKIM keys (generated once per BENCH_DIR)
make_keys() {
  local k="$B/keys"
  mkdir -p "$k"
  if [ ! -s "$k/rsa.pem" ]; then
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k/rsa.pem" 2>/dev/null
    openssl genpkey -algorithm ed25519 -out "$k/ed25519.pem" 2>/dev/null
    chmod 600 "$k"/*.pem
    # DNS TXT records (for the sample verification, served by a stub dnsfunc: no real DNS)
    printf 'v=DKIM1; k=rsa; p=%s\n' "$(openssl pkey -in "$k/rsa.pem" -pubout -outform DER 2>/dev/null | base64 -w0)" > "$k/rsa.txt"
    printf 'v=DKIM1; k=ed25519; p=%s\n' "$(openssl pkey -in "$k/ed25519.pem" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)" > "$k/ed25519.txt"
  fi
}

# install_dkim_tables HOME KEYTABLE_REL SIGNINGTABLE_REL: our RSA-2048 + Ed25519 keys for anchor.example,
# written through the pack's own files (key table + signing table, see org.jsmarthost.core.dkim.DkimTables).
install_dkim_tables() {
  local home="$1" kt="$1/$2" st="$1/$3" kd
  kd="$(dirname "$kt")/keys"
  mkdir -p "$kd" "$(dirname "$st")"
  cp "$B/keys/rsa.pem" "$kd/${DKIM_DOMAIN}.${RSA_SELECTOR}.pem"
  cp "$B/keys/ed25519.pem" "$kd/${DKIM_DOMAIN}.${ED_SELECTOR}.pem"
  chmod 600 "$kd"/*.pem
  cat > "$kt" <<EOF
# bench (bench/lib-ours.sh): dual signing RSA-2048 + Ed25519 for the anchor's sender domain
bench-rsa  domain=${DKIM_DOMAIN} selector=${RSA_SELECTOR} algorithm=rsa-sha256 key=keys/${DKIM_DOMAIN}.${RSA_SELECTOR}.pem
bench-ed   domain=${DKIM_DOMAIN} selector=${ED_SELECTOR} algorithm=ed25519-sha256 key=keys/${DKIM_DOMAIN}.${ED_SELECTOR}.pem
EOF
  cat > "$st" <<EOF
# bench (bench/lib-ours.sh)
${DKIM_DOMAIN}  bench-rsa, bench-ed
EOF
}

# ---------------------------------------------------------------- our server
# prepare_home PROFILE HOME: fresh home with the profile's conf overlay (and DKIM tables if SignDkim is wired).
# Sets PROFILE_INFO (JSON from profiles.py).
prepare_home() {
  local profile="$1" home="$2" ov="$B/overlay/$1" f tables
  rm -rf "$home" "$ov"
  mkdir -p "$home/conf" "$ov"
  PROFILE_INFO="$("$PY" "$BENCH_HERE/profiles.py" "$DIST/conf" "$profile" "$ov" --rsa-key "$B/keys/rsa.pem" \
      --domain "$DKIM_DOMAIN" --selector "$RSA_SELECTOR")" || return 1
  for f in "$ov"/*; do [ -e "$f" ] && cp "$f" "$home/conf/"; done
  tables="$(jfield "$PROFILE_INFO" signdkim)"
  if [ "$tables" != "null" ]; then
    install_dkim_tables "$home" "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["keyTable"])' "$tables")" \
                                "$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["signingTable"])' "$tables")"
  fi
  echo "$PROFILE_INFO" > "$home/bench-profile.json"
}

jfield() { "$PY" -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1" "$2"; }

our_env() { # HOME JAVA_OPTS -> env assignments for env(1)
  echo SMARTHOST_HOME="$1" SMARTHOST_BIND=127.0.0.1 SMARTHOST_SMTP_PORT="$OUR_SMTP_PORT" \
    SMARTHOST_SUBMISSION_PORT="$OUR_SUBMISSION_PORT" SMARTHOST_SMTPS_PORT="$OUR_SMTPS_PORT" \
    SMARTHOST_POP3_PORT="$OUR_POP3_PORT" SMARTHOST_JMX_PORT="$OUR_JMX_PORT" SMARTHOST_WEBADMIN_PORT="$OUR_WEBADMIN_PORT" \
    SMARTHOST_TRUSTED_NETWORKS=127.0.0.1/32 SMARTHOST_RELAYHOST="127.0.0.1:${OUR_SINK_PORT}" \
    SMARTHOST_HELO="bench-relay.${DKIM_DOMAIN}"
}

# start_ours HOME "JAVA OPTS": bin/smarthost run in the background, waits for "JAMES server started".
start_ours() {
  local home="$1" opts="$2" p i
  mkdir -p "$B/run"
  for p in "$OUR_SMTP_PORT" "$OUR_SUBMISSION_PORT" "$OUR_SMTPS_PORT" "$OUR_POP3_PORT" "$OUR_JMX_PORT" "$OUR_WEBADMIN_PORT"; do
    port_free "$p" || { echo "port $p is busy (another run? PORT_BASE=... to move)" >&2; return 1; }
  done
  # shellcheck disable=SC2046
  env $(our_env "$home") SMARTHOST_JAVA_OPTS="$opts" setsid "$DIST/bin/smarthost" run \
      >"$home/console.log" 2>&1 </dev/null &
  echo $! > "$B/run/smarthost.pid"
  for i in $(seq 1 2400); do
    grep -q 'JAMES server started' "$home/console.log" 2>/dev/null && return 0
    pidfile_alive "$B/run/smarthost.pid" || break
    sleep 0.1
  done
  echo "smarthost did not start (console $home/console.log):" >&2
  tail -40 "$home/console.log" >&2
  stop_ours
  return 1
}
stop_ours() { stop_pidfile "$B/run/smarthost.pid" 90; }
our_pid() { cat "$B/run/smarthost.pid" 2>/dev/null; }

james_cli() { # HOME ARGS...
  local home="$1"; shift
  # shellcheck disable=SC2046
  env $(our_env "$home") "$DIST/bin/james-cli" "$@"
}

# smtp-source exactly as the anchor (run.sh src_cmd): size count sessions
src_cmd() {
  echo smtp-source -s "$3" -m "$2" -l "$1" -f "$SENDER" -t "$RECIPIENT" -M "$HELO_NAME" "127.0.0.1:${OUR_SMTP_PORT}"
}

# measure COUNTER_FILE COUNT SIZE SESSIONS -> JSON (the anchor's measure.py, unchanged)
measure() {
  # shellcheck disable=SC2046
  "$PY" "$BENCH_HERE/anchor-postfix/measure.py" --sink-counter "$1" --count "$2" --timeout "${RUN_TIMEOUT:-900}" -- $(src_cmd "$3" "$2" "$4")
}

# measure_bg COUNTER COUNT SIZE SESSIONS: measure in the background and wait for it (a trapped signal
# interrupts `wait` at once, so Ctrl-C / SIGTERM stop a run immediately); the JSON goes to $MEASURED.
MEASURE_PID=""
MEASURED=""
measure_bg() {
  local out="$B/run/measure.$$.json"
  measure "$@" > "$out" &
  MEASURE_PID=$!
  wait "$MEASURE_PID" || true
  MEASURE_PID=""
  MEASURED="$(cat "$out")"
  rm -f "$out"
}
stop_measure() { [ -z "$MEASURE_PID" ] || kill_tree "$MEASURE_PID"; }

jget() { "$PY" -c 'import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print("NA" if v is None else v)' "$1" "$2"; }

# what happened to mail that did not reach the sink (relay-denied, error repository) -> stderr
diagnose_home() {
  local home="$1" d
  for d in relay-denied error address-error rrt-error; do
    [ -d "$home/var/mail/$d" ] && log "  var/mail/$d: $(find "$home/var/mail/$d" -type f | wc -l) files"
  done
  grep -E 'ERROR|Exception' "$home/console.log" 2>/dev/null | tail -5 >&2 || true
}
