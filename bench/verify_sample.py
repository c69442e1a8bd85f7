#!/usr/bin/python3
"""What the chain did to sample messages captured by smtp-sink -d (the proof that a profile's stages ran).

usage: verify_sample.py --domain D [--key SELECTOR TXT_FILE]... [--sizes "5000 50000"] DUMPFILE...

For each message: the header fields the relay added (smtp-source sends only From, To, Date, Message-Id),
whether the body gained lines that smtp-source did not write (a disclaimer: smtp-source bodies are lines
of "X"), and each DKIM-Signature with its a=/d=/s= verified by dkimpy (python3-dkim; Ed25519 needs
python3-nacl) against the given TXT records through a stub dnsfunc (no real DNS).
With --sizes (the smtp-source -l sizes sent): whether each body still holds all of its smtp-source lines
(their bytes, CRLF included, add up to one of the sizes, +2): a stage that cut or lost body text fails.
Last line: "proof: N messages; added headers {...}; body changed in N; source body intact in N of N;
signatures a=...: N ok / N bad". Exit 1 if any signature fails to verify or any body lost source text.
"""
import collections, re, sys

args = sys.argv[1:]
domain, keys, files, sizes = None, {}, [], []
while args:
    a = args.pop(0)
    if a == "--domain":
        domain = args.pop(0)
    elif a == "--sizes":
        sizes = [int(x) for x in args.pop(0).split()]
    elif a == "--key":
        sel, path = args.pop(0), args.pop(0)
        keys[sel] = open(path).read().strip().encode()
    else:
        files.append(a)
try:
    import dkim
except ImportError:
    dkim = None

SINK_HDRS = (b"x-client-addr:", b"x-client-proto:", b"x-helo-args:", b"x-mail-args:", b"x-rcpt-args:")
SOURCE_HDRS = {"from", "to", "date", "message-id", "received", "return-path"}
SOURCE_BODY = re.compile(rb"^(\d*X*)?$")


def strip_sink_headers(raw):
    lines = raw.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].lower().startswith(SINK_HDRS):
        i += 1
    if i < len(lines) and lines[i].startswith(b"Received:") and b"(smtp-sink)" in b"".join(lines[i:i + 3]):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\r\n".join(l.rstrip(b"\r") for l in lines[i:])


def dnsfunc(name, timeout=5):
    n = (name.decode() if isinstance(name, bytes) else name).rstrip(".").lower()
    for sel, rec in keys.items():
        if n == ("%s._domainkey.%s" % (sel, domain)).lower():
            return rec
    return None


added = collections.Counter()
body_changed = 0
intact = 0
sigs = collections.Counter()
bad = 0
for path in files:
    msg = strip_sink_headers(open(path, "rb").read())
    head, _, body = msg.partition(b"\r\n\r\n")
    names = [l.split(b":", 1)[0].decode(errors="replace") for l in head.split(b"\r\n") if l and l[:1] not in (b" ", b"\t")]
    for n in set(names):
        if n.lower() not in SOURCE_HDRS:
            added[n] += 1
    foreign = [l for l in body.split(b"\r\n") if not SOURCE_BODY.match(l)]
    source_bytes = sum(len(l) + 2 for l in body.split(b"\r\n") if re.match(rb"^\d*X+$", l))
    if sizes and any(0 <= source_bytes - s <= 2 for s in sizes):
        intact += 1
    elif sizes:
        print("CUT %s: %d bytes of smtp-source body lines, sent one of %s" % (path, source_bytes, sizes))
    if foreign:
        body_changed += 1
    sig_count = sum(1 for n in names if n.lower() == "dkim-signature")
    for idx in range(sig_count):
        fields = re.findall(rb"^DKIM-Signature:(.*?)\r\n(?![ \t])", msg, re.M | re.S | re.I)
        tags = re.sub(rb"\s+", b"", fields[idx]) if idx < len(fields) else b""
        alg = re.search(rb"(?:^|;)a=([^;]+)", tags)
        d = re.search(rb"(?:^|;)d=([^;]+)", tags)
        label = "a=%s d=%s" % (alg.group(1).decode() if alg else "?", d.group(1).decode() if d else "?")
        if dkim is None:
            sigs[label + " (unverified: no python3-dkim)"] += 1
            continue
        try:
            ok = dkim.DKIM(msg).verify(idx=idx, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:  # body hash mismatch, bad tags, ...: a broken signature
            ok = False
            print("FAIL %s signature %d: %s" % (path, idx, e))
        except Exception as e:  # e.g. ed25519 without python3-nacl
            ok = None
            label += " (not verifiable here: %s)" % type(e).__name__
        if ok is False:
            bad += 1
            print("FAIL %s signature %d %s" % (path, idx, label))
        sigs[label + ("" if ok is None else " ok" if ok else " BAD")] += 1
    if foreign and len(files) <= 40 and path == files[0]:
        print("first changed body line: %r" % foreign[0][:100])
print("proof: %d messages; added headers %s; body changed in %d;%s signatures %s"
      % (len(files), dict(added), body_changed,
         " source body intact in %d of %d;" % (intact, len(files)) if sizes else "", dict(sigs) or "none"))
sys.exit(1 if bad or (sizes and intact < len(files)) else 0)
