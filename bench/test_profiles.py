#!/usr/bin/python3
"""Tests of bench/profiles.py on a conf shaped like the one the stages will produce (run: bench/test_profiles.py).

The shipped conf has empty stage slots today; these tests wire a pack component into every stage (inside the
markers, plus the relay hooks, the transport matcher and a DKIM guard outside them) and check what each
profile keeps, removes and replaces, and that every generated file is well-formed XML.
"""
import json, os, shutil, subprocess, sys, tempfile, unittest

HERE = os.path.dirname(os.path.abspath(__file__))

MAILETCONTAINER = """<?xml version="1.0"?>
<mailetcontainer enableJmx="true">
    <processors>
        <processor state="transport" enableJmx="true">
            <mailet match="All" class="RemoveMimeHeader"><name>bcc</name></mailet>
            <mailet match="org.jsmarthost.matchers.relay.IsRelayPermitted=memory" class="ToProcessor">
                <processor>relay</processor>
            </mailet>
            <mailet match="All" class="ToProcessor"><processor>relay-denied</processor></mailet>
        </processor>
        <processor state="relay" enableJmx="true">
            <!-- stage:policy begin -->
            <matcher name="relay-not-permitted" match="org.apache.james.mailetcontainer.impl.matchers.Not">
                <matcher match="org.jsmarthost.matchers.relay.IsRelayPermitted=memory"/>
            </matcher>
            <mailet match="relay-not-permitted" class="ToProcessor"><processor>relay-denied</processor></mailet>
            <!-- stage:policy end -->
            <!-- stage:rewrite begin -->
            <mailet match="All" class="org.jsmarthost.mailets.rewrite.RewriteAddresses"/>
            <mailet match="All" class="org.jsmarthost.mailets.rewrite.SrsForward"/>
            <!-- stage:rewrite end -->
            <!-- stage:disclaimer begin -->
            <mailet match="All" class="org.jsmarthost.mailets.disclaimer.AddDisclaimer"><templates>conf/d</templates></mailet>
            <!-- stage:disclaimer end -->
            <!-- stage:dkim begin -->
            <mailet match="All" class="org.jsmarthost.mailets.dkim.SignDkim">
                <keyTable>conf/dkim/keys.table</keyTable>
            </mailet>
            <!-- stage:dkim end -->
            <!-- stage:archive begin -->
            <mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchive"/>
            <!-- stage:archive end -->
            <mailet match="All" class="org.jsmarthost.mailets.dkim.VerifyDkimBeforeDelivery"/>
            <mailet match="All" class="org.jsmarthost.mailets.Unknown"/>
            <mailet match="All" class="RemoteDelivery"><gateway>x</gateway></mailet>
        </processor>
        <processor state="archive-retry" enableJmx="true">
            <mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchiveRetry"/>
        </processor>
    </processors>
</mailetcontainer>
"""
SMTPSERVER = """<?xml version="1.0"?>
<smtpservers>
    <smtpserver enabled="true">
        <handlerchain>
            <handler class="org.jsmarthost.matchers.relay.RelayPolicyHook">
                <stateBackend>memory</stateBackend>
            </handler>
            <handler class="org.apache.james.smtpserver.fastfail.ValidRcptHandler"/>
            <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
        </handlerchain>
    </smtpserver>
</smtpservers>
"""


def run(conf, profile):
    out = tempfile.mkdtemp()
    key = os.path.join(out, "k.pem")
    open(key, "w").write("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    p = subprocess.run([sys.executable, os.path.join(HERE, "profiles.py"), conf, profile, os.path.join(out, "o"),
                        "--rsa-key", key], capture_output=True, text=True, check=True)
    info = json.loads(p.stdout)
    files = {f: open(os.path.join(out, "o", f)).read() for f in info["files"]}
    return info, files


class ProfilesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conf = tempfile.mkdtemp()
        open(os.path.join(cls.conf, "mailetcontainer.xml"), "w").write(MAILETCONTAINER)
        open(os.path.join(cls.conf, "smtpserver.xml"), "w").write(SMTPSERVER)

    def test_full_is_the_shipped_conf(self):
        info, files = run(self.conf, "full")
        self.assertEqual(files, {})
        self.assertEqual(info["stages_active"], ["archive", "disclaimer", "dkim", "policy", "rewrite"])
        self.assertEqual(info["signdkim"], {"keyTable": "conf/dkim/keys.table", "signingTable": "conf/dkim/signingtable"})
        self.assertIn("org.jsmarthost.mailets.Unknown", info["other_pack"])

    def test_plain_removes_every_stage_and_the_hooks(self):
        info, files = run(self.conf, "plain")
        mc = files["mailetcontainer.xml"]
        for gone in ("RewriteAddresses", "SrsForward", "AddDisclaimer", "SignDkim", "JournalArchive",
                     "VerifyDkimBeforeDelivery", "relay-not-permitted", "IsRelayPermitted"):
            self.assertNotIn(gone, mc.replace("stage policy removed", ""), gone)
        self.assertIn('<mailet match="SMTPIsAuthNetwork" class="ToProcessor">', mc)
        self.assertIn("RemoteDelivery", mc)
        self.assertIn("org.jsmarthost.mailets.Unknown", mc)   # unknown pack classes stay
        self.assertIn("<!-- stage:dkim begin -->", mc)         # markers stay for the next transform
        self.assertNotIn("JournalArchiveRetry", mc)
        self.assertRegex(mc, r'<processor state="archive-retry" enableJmx="true">\s*<mailet match="All" class="Null"/>')
        self.assertNotIn("RelayPolicyHook", files["smtpserver.xml"])
        self.assertIn("ValidRcptHandler", files["smtpserver.xml"])
        self.assertIsNone(info["signdkim"])
        self.assertEqual(info["stages_active"], [])

    def test_stage_dkim_keeps_signer_and_its_guard_only(self):
        info, files = run(self.conf, "stage-dkim")
        mc = files["mailetcontainer.xml"]
        self.assertIn("SignDkim", mc)
        self.assertIn("VerifyDkimBeforeDelivery", mc)
        self.assertNotIn("AddDisclaimer", mc)
        self.assertNotIn("JournalArchive", mc)
        self.assertEqual(info["stages_active"], ["dkim"])
        self.assertFalse(info["empty"])

    def test_stage_policy_keeps_hooks_and_matchers(self):
        info, files = run(self.conf, "stage-policy")
        mc = files["mailetcontainer.xml"]
        self.assertIn("relay-not-permitted", mc)
        self.assertIn('match="org.jsmarthost.matchers.relay.IsRelayPermitted=memory" class="ToProcessor"', mc)
        self.assertNotIn("smtpserver.xml", files)
        self.assertEqual(info["stages_active"], ["policy"])

    def test_stock_adds_the_stock_chain_before_remote_delivery(self):
        info, files = run(self.conf, "stock")
        mc = files["mailetcontainer.xml"]
        self.assertLess(mc.index('class="AddFooter"'), mc.index("org.apache.james.jdkim.mailets.DKIMSign"))
        self.assertLess(mc.index("org.apache.james.jdkim.mailets.DKIMSign"), mc.index('class="ToRepository"'))
        self.assertLess(mc.index('class="ToRepository"'), mc.index('class="RemoteDelivery"'))
        self.assertNotIn("SignDkim", mc)

    def test_stock_goes_before_the_distributions_remote_delivery_too(self):
        conf = tempfile.mkdtemp()
        open(os.path.join(conf, "mailetcontainer.xml"), "w").write(MAILETCONTAINER.replace(
            'class="RemoteDelivery"', 'class="org.jsmarthost.distribution.mail.RemoteDelivery"'))
        for name in os.listdir(self.conf):
            if name != "mailetcontainer.xml":
                shutil.copy(os.path.join(self.conf, name), conf)
        info, files = run(conf, "stock")
        mc = files["mailetcontainer.xml"]
        self.assertLess(mc.index('class="ToRepository"'), mc.index('class="org.jsmarthost.distribution.mail.RemoteDelivery"'))
        self.assertIn("<gateway>x</gateway>", mc)

    def test_a_stage_without_component_is_empty(self):
        conf = tempfile.mkdtemp()
        open(os.path.join(conf, "mailetcontainer.xml"), "w").write(
            MAILETCONTAINER.replace('<mailet match="All" class="org.jsmarthost.mailets.archive.JournalArchive"/>',
                                    "<!-- stage 5: archive (slot) -->")
            .replace("org.jsmarthost.mailets.archive.JournalArchiveRetry", "Null"))
        info, _ = run(conf, "stage-archive")
        self.assertTrue(info["empty"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
