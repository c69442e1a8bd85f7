#!/usr/bin/python3
"""Independent DKIM verification with dkimpy (Debian python3-dkim) for the Java tests.

usage: dkimpy_verify.py DNS_JSON_FILE MESSAGE_FILE...
DNS_JSON_FILE maps TXT owner names ("sel._domainkey.example.com") to record text.
For every message, verifies every DKIM-Signature field and prints one line
"MESSAGE_FILE pass" or "MESSAGE_FILE fail <details>" (a message without signatures fails).
Exits 0 only when all messages pass.
"""
import json
import sys

import dkim


def verify_file(path, dnsfunc):
    with open(path, 'rb') as f:
        message = f.read()
    try:
        d = dkim.DKIM(message, minkey=1024)
        count = sum(1 for (k, _) in d.headers if k.lower() == b'dkim-signature')
    except Exception as e:
        return False, "cannot parse: %r" % e
    if count == 0:
        return False, "no DKIM-Signature"
    details = []
    ok = True
    for idx in range(count):
        try:
            res = d.verify(idx=idx, dnsfunc=dnsfunc)
        except Exception as e:  # dkimpy raises on malformed input
            res = False
            details.append("sig%d error %r" % (idx, e))
        details.append("sig%d %s" % (idx, "pass" if res else "fail"))
        ok = ok and bool(res)
    return ok, " ".join(details)


def main():
    with open(sys.argv[1], 'r') as f:
        records = json.load(f)

    def dnsfunc(name, timeout=5):
        key = name.decode('ascii') if isinstance(name, bytes) else name
        key = key.rstrip('.').lower()
        value = records.get(key)
        return value.encode('ascii') if value is not None else None

    all_ok = True
    for path in sys.argv[2:]:
        ok, details = verify_file(path, dnsfunc)
        print("%s %s %s" % (path, "pass" if ok else "fail", details))
        all_ok = all_ok and ok
    sys.exit(0 if all_ok else 1)


if __name__ == '__main__':
    main()
