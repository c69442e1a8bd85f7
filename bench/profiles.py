#!/usr/bin/python3
"""Benchmark profiles: conf overlays derived from the distribution's shipped conf/.

usage: profiles.py CONF_DIR PROFILE OUT_DIR [--rsa-key PEM] [--domain D] [--selector S]
       profiles.py --list

Writes into OUT_DIR only the conf files the profile changes (the harness copies them into a fresh
SMARTHOST_HOME/conf before the first start; the launcher keeps files an admin wrote there) and prints one
JSON object describing the profile on stdout.

Profiles
  plain         the shipped conf without any pack stage: RemoveMimeHeader bcc, RecipientRewriteTable, ...,
                RemoteDelivery (SMARTHOST_RELAYHOST). Every pack stage of the relay processor is removed, the
                pack's relay-policy SMTP/POP3 hooks are removed, and the pack relay matcher of the transport
                processor (IsRelayPermitted) becomes James's SMTPIsAuthNetwork (what lets the benchmark's
                unauthenticated client on 127.0.0.1 relay in stock James too).
  stock         plain + the stock James chain before RemoteDelivery: AddFooter, DKIMSign (RSA-2048, --rsa-key),
                ToRepository file://var/mail/bench-archive/ (passThrough).
  full          the shipped conf as it is: whatever stages are wired at run time.
  stage-NAME    plain + only stage NAME (policy, rewrite, disclaimer, dkim, archive).

How stages are found: in conf/mailetcontainer.xml each stage sits between the comments
<!-- stage:NAME begin --> and <!-- stage:NAME end -->. A stage that is switched off loses everything between
its markers. Pack components outside the markers (a hook in smtpserver.xml, a matcher in the transport
processor, a guard mailet just before RemoteDelivery) are attributed to a stage by their Java package
(org.jsmarthost.*.relay -> policy, .rewrite/.srs -> rewrite, .disclaimer, .dkim, .archive) and removed with
it. Pack classes of no known stage are kept in every profile and listed under "other_pack".
A stage is "wired" when its markers enclose more than comments.
"""
import json
import os
import re
import sys
import xml.dom.minidom

STAGES = ["policy", "rewrite", "disclaimer", "dkim", "archive"]
PROFILES = ["plain", "stock", "full"] + ["stage-" + s for s in STAGES]
PACKAGE_STAGE = {
    "relay": "policy",
    "rewrite": "rewrite",
    "srs": "rewrite",
    "disclaimer": "disclaimer",
    "dkim": "dkim",
    "archive": "archive",
}
PACK_CLASS = re.compile(r"org\.jsmarthost\.(?:mailets|matchers)\.(?:([a-z0-9_]+)\.)?(?:[a-z0-9_]+\.)*[A-Z][A-Za-z0-9_$]*")
MARKER = re.compile(r"([ \t]*)<!-- stage:([a-z0-9_-]+) begin -->(.*?)<!-- stage:\2 end -->", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
STOCK_FOOTER = ("--\nThis message was relayed by the anchor smarthost benchmark. Disclaimer: the contents of this\n"
                "e-mail are confidential and intended for the named recipient only.")


def stage_of(text):
    """The stage of the first pack class named in text, None if none, '?' if of no known stage."""
    m = PACK_CLASS.search(text)
    if not m:
        return None
    return PACKAGE_STAGE.get(m.group(1), "?")


def stages_for(profile):
    if profile in ("plain", "stock"):
        return set()
    if profile == "full":
        return set(STAGES)
    if profile.startswith("stage-") and profile[6:] in STAGES:
        return {profile[6:]}
    raise SystemExit("unknown profile '%s', expected one of: %s" % (profile, " ".join(PROFILES)))


def element_spans(text, tag):
    """(start, end) of every <tag ...> element, self-closing or with a body (balanced for nested same tags)."""
    spans = []
    open_re = re.compile(r"<%s\b[^>]*?(/?)>" % tag)
    token = re.compile(r"<%s\b[^>]*?(/?)>|</%s\s*>" % (tag, tag))
    pos = 0
    while True:
        m = open_re.search(text, pos)
        if not m:
            return spans
        if COMMENT_AT(text, m.start()):
            pos = m.end()
            continue
        if m.group(1) == "/":
            spans.append((m.start(), m.end()))
            pos = m.end()
            continue
        depth, p = 1, m.end()
        while depth:
            t = token.search(text, p)
            if not t:
                raise SystemExit("unbalanced <%s> at offset %d" % (tag, m.start()))
            if t.group(0).startswith("</"):
                depth -= 1
            elif t.group(1) != "/":
                depth += 1
            p = t.end()
        spans.append((m.start(), p))
        pos = p


def COMMENT_AT(text, offset):
    """True if offset lies inside an XML comment."""
    start = text.rfind("<!--", 0, offset)
    return start >= 0 and text.find("-->", start) > offset


def remove_spans(text, spans):
    for s, e in sorted(spans, reverse=True):
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", e)
        if text[line_start:s].strip() == "" and line_end >= 0 and text[e:line_end].strip() == "":
            s, e = line_start, line_end + 1
        text = text[:s] + text[e:]
    return text


def strip_pack(text, keep, tags, report):
    """Removes elements of the given tags that name a pack class of a stage not kept (outside markers)."""
    for tag in tags:
        doomed = []
        for s, e in element_spans(text, tag):
            open_tag = re.match(r"<%s\b[^>]*>" % tag, text[s:e]).group(0)
            st = stage_of(open_tag)
            if st and st != "?" and st not in keep:
                doomed.append((s, e))
                report.append("%s (stage %s)" % (" ".join(open_tag.split()), st))
        text = remove_spans(text, doomed)
    return text


def transform_mailetcontainer(text, profile, keep, info):
    wired = {}

    def marker(m):
        indent, name, inner = m.group(1), m.group(2), m.group(3)
        wired[name] = COMMENT.sub("", inner).strip() != ""
        if name in keep or name not in STAGES:
            return m.group(0)
        return ("%s<!-- stage:%s begin -->\n%s<!-- bench profile %s: stage %s removed -->\n%s<!-- stage:%s end -->"
                % (indent, name, indent, profile, name, indent, name))

    text = MARKER.sub(marker, text)
    info["stages_wired"] = {s: wired.get(s, False) for s in STAGES}
    info["markers_missing"] = [s for s in STAGES if s not in wired]
    removed = []
    # the transport processor's pack relay matcher: stock James's check for a trusted network instead
    if "policy" not in keep:
        text, n = re.subn(r'match="org\.jsmarthost\.matchers\.relay\.IsRelayPermitted[^"]*"', 'match="SMTPIsAuthNetwork"', text)
        if n:
            info["replaced"].append("%d x IsRelayPermitted -> SMTPIsAuthNetwork" % n)
    text = strip_pack(text, keep, ["mailet", "matcher"], removed)
    info["removed"] += removed
    # a processor left without mailets (e.g. the archive's retry processor) gets a Null mailet: nothing routes
    # mail there any more, and James gets a processor it can build
    for s, e in reversed(element_spans(text, "processor")):
        body = COMMENT.sub("", text[s:e])
        if not re.search(r"<mailet\b", body):
            end = text.rindex("</processor>", s, e)
            text = text[:end] + ('    <mailet match="All" class="Null"/><!-- bench profile %s: emptied -->\n        ' % profile) + text[end:]
            info["replaced"].append("emptied processor %s gets a Null mailet" % re.search(r'state="([^"]*)"', text[s:e]).group(1))
    return text


def stock_block(rsa_pem, domain, selector):
    pem = rsa_pem.strip()
    return """            <!-- bench profile stock: the stock James 3.8.1 chain (footer, DKIM, archive copy) -->
            <mailet match="All" class="AddFooter">
                <text>%s</text>
            </mailet>
            <mailet match="All" class="org.apache.james.jdkim.mailets.DKIMSign">
                <signatureTemplate>v=1; s=%s; d=%s; h=from:to:subject:date:message-id; a=rsa-sha256; c=relaxed/relaxed; bh=; b=;</signatureTemplate>
                <privateKey>
%s
                </privateKey>
            </mailet>
            <mailet match="All" class="ToRepository">
                <repositoryPath>file://var/mail/bench-archive/</repositoryPath>
                <passThrough>true</passThrough>
            </mailet>
""" % (STOCK_FOOTER, selector, domain, pem)


def insert_before_remote_delivery(text, block):
    relay = re.search(r'<processor\s+state="relay"', text)
    if not relay:
        raise SystemExit("mailetcontainer.xml has no <processor state=\"relay\">")
    rd = re.compile(r'<mailet\b[^>]*class="(?:[\w.]+\.)?RemoteDelivery"').search(text, relay.end())
    if not rd:
        raise SystemExit("the relay processor has no RemoteDelivery mailet")
    line_start = text.rfind("\n", 0, rd.start()) + 1
    return text[:line_start] + block + text[line_start:]


def signdkim_tables(text):
    """keyTable/signingTable of the first SignDkim mailet (defaults of the mailet), or None."""
    for s, e in element_spans(text, "mailet"):
        el = text[s:e]
        if COMMENT_AT(text, s) or "org.jsmarthost.mailets.dkim.SignDkim" not in el:
            continue
        body = COMMENT.sub("", el)
        kt = re.search(r"<keyTable>\s*(.*?)\s*</keyTable>", body, re.S)
        sgt = re.search(r"<signingTable>\s*(.*?)\s*</signingTable>", body, re.S)
        return {"keyTable": kt.group(1) if kt else "conf/dkim/keytable",
                "signingTable": sgt.group(1) if sgt else "conf/dkim/signingtable"}
    return None


def write_xml(out, name, text, info):
    try:
        xml.dom.minidom.parseString(text.encode("utf-8"))
    except Exception as e:
        raise SystemExit("profile %s: generated %s is not well-formed XML: %s" % (info["profile"], name, e))
    open(os.path.join(out, name), "w", encoding="utf-8").write(text)
    info["files"].append(name)


def main(argv):
    if argv[1:] == ["--list"]:
        print(" ".join(PROFILES))
        return 0
    args = argv[1:]
    opts = {"--rsa-key": None, "--domain": "anchor.example", "--selector": "benchrsa"}
    pos = []
    while args:
        a = args.pop(0)
        if a in opts:
            opts[a] = args.pop(0)
        else:
            pos.append(a)
    if len(pos) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    conf, profile, out = pos
    keep = stages_for(profile)
    os.makedirs(out, exist_ok=True)
    info = {"profile": profile, "stages_on": sorted(keep), "files": [], "removed": [], "replaced": []}

    mc = open(os.path.join(conf, "mailetcontainer.xml"), encoding="utf-8").read()
    new = transform_mailetcontainer(mc, profile, keep, info)
    if profile == "stock":
        if not opts["--rsa-key"]:
            raise SystemExit("profile stock needs --rsa-key PEM")
        new = insert_before_remote_delivery(new, stock_block(open(opts["--rsa-key"]).read(), opts["--domain"], opts["--selector"]))
    info["signdkim"] = signdkim_tables(new)
    info["other_pack"] = sorted({m.group(0) for m in PACK_CLASS.finditer(COMMENT.sub("", new))
                                 if PACKAGE_STAGE.get(m.group(1)) is None})
    info["active_pack"] = sorted({m.group(0) for m in PACK_CLASS.finditer(COMMENT.sub("", new))})
    if new != mc:
        write_xml(out, "mailetcontainer.xml", new, info)

    for name in ("smtpserver.xml", "pop3server.xml", "lmtpserver.xml"):
        path = os.path.join(conf, name)
        if not os.path.exists(path):
            continue
        old = open(path, encoding="utf-8").read()
        removed = []
        text = strip_pack(old, keep, ["handler"], removed)
        info["removed"] += ["%s: %s" % (name, r) for r in removed]
        info["active_pack"] = sorted(set(info["active_pack"]) | {m.group(0) for m in PACK_CLASS.finditer(COMMENT.sub("", text))})
        if text != old:
            write_xml(out, name, text, info)

    if info["markers_missing"]:
        # still usable: pack components are found by their package; only stock mailets that belong to a
        # stage (e.g. a ToProcessor of the relay decision) stay in every profile
        print("profiles.py: warning: conf/mailetcontainer.xml lacks the stage markers of: %s"
              % " ".join(info["markers_missing"]), file=sys.stderr)
    active_stages = {PACKAGE_STAGE.get(PACK_CLASS.match(c).group(1)) for c in info["active_pack"]}
    info["stages_active"] = sorted(s for s in active_stages if s)
    # a stage profile whose stage has no pack component in this build measures the same as plain
    info["empty"] = profile.startswith("stage-") and profile[6:] not in active_stages
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
