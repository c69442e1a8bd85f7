#!/usr/bin/env bash
# Where the time goes: summarises the CPU samples (jdk.ExecutionSample) of a flight recording.
#
# usage: bench/jfr-top.sh RECORDING.jfr [TOP=25]
#   Record one with the load harness:  PROFILES=full JFR=1 bench/run-ours.sh
#   (JFR=1 records each profile's timed runs, after start-up and warm-up, with jcmd JFR.start
#   settings=$JFR_SETTINGS (default "default") / JFR.stop into HOME/bench.jfr), or by hand on a running server:
#   jcmd PID JFR.start name=x settings=profile  ...  jcmd PID JFR.stop name=x filename=/tmp/x.jfr
# SINCE=HH:MM:SS leaves out earlier samples (default: the time in RECORDING.since, written by run-ours.sh).
# FOCUS=TEXT (e.g. FOCUS=AddDisclaimer.service) adds, for the samples with a frame containing TEXT on the stack,
# the methods called from that frame (the next frame up) and everything on the stack above it, by samples.
# Prints: the number of samples, the top frames by self samples (the method on top of the stack), the
# top frames by total samples (anywhere on the stack, counted once per sample), and self samples per
# code area (our pack, James, javax.mail, Netty, crypto, JDK, ...). Shares of samples are shares of the
# server's Java CPU time; multiply by CPU seconds / messages for a per-message cost. Last: samples grouped by
# the mailet or matcher on the stack (else by thread pool), i.e. what each pipeline stage costs.
set -euo pipefail
[ $# -ge 1 ] && [ -f "$1" ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
TOP="${2:-25}"
# samples before this time of day (HH:MM:SS, the recording's clock) are left out; run-ours.sh writes the time of
# its JFR.start into RECORDING.since (JFR dumps can hold earlier samples of a recording started with the JVM)
SINCE="${SINCE:-$(cat "$1.since" 2>/dev/null || true)}"
FOCUS="${FOCUS:-}"
jfr print --stack-depth 64 --events jdk.ExecutionSample "$1" | /usr/bin/python3 -c '
import collections, re, sys
top = int(sys.argv[1])
since = sys.argv[2] if len(sys.argv) > 2 else ""
focus = sys.argv[3] if len(sys.argv) > 3 else ""
focus_n = 0
focus_child, focus_total = collections.Counter(), collections.Counter()
self_c, total_c, area_c = collections.Counter(), collections.Counter(), collections.Counter()
threads, stages = collections.Counter(), collections.Counter()
n = skipped = 0
frames = None
thread = None
start = ""
AREAS = [("org.jsmarthost.", "pack (org.jsmarthost)"), ("org.apache.james.jdkim", "James jDKIM"),
         ("org.apache.james.", "James"), ("org.apache.mailet.", "James (mailet API)"),
         ("javax.mail.", "javax.mail"), ("com.sun.mail.", "javax.mail"), ("io.netty.", "Netty"),
         ("org.bouncycastle.", "BouncyCastle"), ("sun.security.", "JDK crypto"), ("com.sun.crypto.", "JDK crypto"),
         ("java.security.", "JDK crypto"), ("javax.crypto.", "JDK crypto"), ("ch.qos.logback.", "logging"),
         ("org.slf4j.", "logging"), ("java.util.zip.", "JDK zip"), ("sun.nio.", "JDK I/O"), ("java.io.", "JDK I/O"),
         ("java.nio.", "JDK I/O"), ("reactor.", "Reactor"), ("com.google.", "Guava"), ("java.", "JDK other"),
         ("jdk.", "JDK other"), ("sun.", "JDK other")]
def area(f):
    for p, a in AREAS:
        if f.startswith(p):
            return a
    return "other"
def stage(frames):
    # the mailet or matcher on the stack (the innermost service/match of a mailet/matcher class), else the thread
    for f in frames:
        m = re.match(r"([\w.$]+)\.(service|match|process)\(", f)
        if m and m.group(2) == "process" and not m.group(1).startswith("org.jsmarthost.mailets."):
            continue  # pack mailets implement process() (PackMailet.service calls it); others name it service()
        if m and re.search(r"\.(mailets|matchers|transport)\.", m.group(1)) and "MailetProcessorImpl" not in m.group(1):
            return m.group(1).split(".")[-1] + "." + m.group(2)
    return "(no mailet) " + re.sub(r"[-#]?\d+$", "-N", thread or "?")
def flush():
    global n, skipped, focus_n
    if frames and since and start and start < since:
        skipped += 1
    elif frames:
        n += 1
        stages[stage(frames)] += 1
        self_c[frames[0]] += 1
        area_c[area(frames[0])] += 1
        for f in set(frames):
            total_c[f] += 1
        threads[re.sub(r"[-#]?\d+$", "-N", thread or "?")] += 1
        if focus:
            k = next((i for i, f in enumerate(frames) if focus in f), -1)
            if k >= 0:
                focus_n += 1
                focus_child[frames[k - 1] if k > 0 else "(self)"] += 1
                for f in set(frames[:k]):
                    focus_total[f] += 1
for line in sys.stdin:
    s = line.strip()
    if s.startswith("jdk.ExecutionSample"):
        flush(); frames = None; thread = None; start = ""
    elif s.startswith("startTime = "):
        start = s[len("startTime = "):]
    elif s.startswith("sampledThread"):
        m = re.search(r"\"(.*?)\"", s); thread = m.group(1) if m else "?"
    elif s.startswith("stackTrace = ["):
        frames = []
    elif frames is not None and s and s not in ("]", "}", "...") and not s.startswith("truncated"):
        frames.append(re.sub(r"\s+line:.*$", "", s))
flush()
if not n:
    sys.exit("no jdk.ExecutionSample events in the recording (recorded with settings=profile?)")
pct = lambda c: f"{100.0 * c / n:5.1f}%"
print(f"{n} CPU samples" + (f" (from {since} on; {skipped} earlier ones left out)" if since else ""))
print(f"\n-- top {top} frames by self samples")
for f, c in self_c.most_common(top): print(f"{pct(c)}  {f}")
print(f"\n-- top {top} frames by total samples (on the stack)")
for f, c in total_c.most_common(top): print(f"{pct(c)}  {f}")
print("\n-- self samples by code area")
for a, c in area_c.most_common(): print(f"{pct(c)}  {a}")
print("\n-- samples by thread pool")
for t, c in threads.most_common(12): print(f"{pct(c)}  {t}")
print("\n-- samples by mailet/matcher on the stack (else by thread)")
for t, c in stages.most_common(20): print(f"{pct(c)}  {t}")
if focus:
    print(f"\n-- under {focus}: {pct(focus_n)} of all samples; called from it (share of all samples)")
    for f, c in focus_child.most_common(top): print(f"{pct(c)}  {f}")
    print(f"\n-- under {focus}: everything on the stack above it")
    for f, c in focus_total.most_common(2 * top): print(f"{pct(c)}  {f}")
' "$TOP" "$SINCE" "$FOCUS"
