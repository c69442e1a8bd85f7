package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsmarthost.core.dkim.DkimVerificationResult;
import org.jsmarthost.core.dkim.DkimVerifier;
import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * DKIM through the running distribution: keys made with {@code smarthost-cli dkim keygen} (server side, into
 * the home's conf/dkim), mail relayed to a sink on 127.0.0.1, every delivered signature verified by dkimpy
 * (Debian python3-dkim) and by the pack's verifier with the DNS records keygen printed; key rotation without
 * restart; check-dns against dnsmasq (Debian dnsmasq-base) on 127.0.0.1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DkimIT {
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String PYTHON = System.getProperty("dkimpy.python", "/usr/bin/python3");

    private SmtpSink sink;
    private SmarthostServer server;
    private Path work;
    /** DNS records as keygen printed them: owner name to joined TXT strings. */
    private final Map<String, String> dns = new LinkedHashMap<>();
    /** The same records as the 255-byte strings keygen printed. */
    private final Map<String, List<String>> dnsStrings = new LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        server = SmarthostServer.create("dkim", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()));
        // the applications on the trusted network send for these domains (relay policy: sender domain must be ours)
        Files.createDirectories(server.home.resolve("conf"));
        Files.writeString(server.home.resolve("conf/smarthost-policy.conf"), "trusted_networks = ${sys:smarthost.trusted.networks}\n"
            + "sender_domains = a.example, b.example, c.example, old.example, new.example\n");
        server.start();
        work = Files.createDirectories(server.home.resolve("dkim-it"));
        keygen("a.example", "s1", "rsa");
        keygen("b.example", "e1", "ed25519");
        keygen("c.example", "r1", "rsa");
        keygen("c.example", "e1", "ed25519");
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (sink != null) {
            sink.close();
        }
    }

    private CliResult keygen(String domain, String selector, String algorithm) throws Exception {
        CliResult r = server.smarthostCli("dkim", "keygen", "--domain", domain, "--selector", selector, "--algorithm", algorithm);
        assertThat(r.exitCode).as(r.toString()).isZero();
        Matcher name = Pattern.compile("(?m)^name:\\s+(\\S+)$").matcher(r.output);
        assertThat(name.find()).as(r.output).isTrue();
        Matcher strings = Pattern.compile("(?m)^string: \"([^\"]*)\"$").matcher(r.output);
        List<String> parts = new ArrayList<>();
        while (strings.find()) {
            assertThat(strings.group(1).getBytes(StandardCharsets.US_ASCII).length).isLessThanOrEqualTo(255);
            parts.add(strings.group(1));
        }
        assertThat(parts).isNotEmpty();
        dns.put(name.group(1), String.join("", parts));
        dnsStrings.put(name.group(1), parts);
        return r;
    }

    private Received relay(String from, String subject, String body) throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            SmtpClient.Reply reply = client.send("app@" + from.substring(from.indexOf('@') + 1), "bob@remote.example",
                SmtpClient.message("Sender <" + from + ">", "bob@remote.example", subject, body + "\n" + marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        return sink.awaitContaining(marker, DELIVERY);
    }

    private List<DkimVerificationResult> ourVerifier(byte[] message) throws IOException {
        return new DkimVerifier().verify(new ByteArrayInputStream(message), (selector, domain) -> {
            String record = dns.get(selector + "._domainkey." + domain);
            return record == null ? List.of() : List.of(record);
        });
    }

    private String dkimpy(byte[] message) throws Exception {
        Path script = work.resolve("dkimpy_verify.py");
        if (!Files.exists(script)) {
            try (InputStream in = DkimIT.class.getResourceAsStream("dkimpy_verify.py")) {
                Files.copy(in, script);
            }
        }
        Path json = Files.createTempFile(work, "dns", ".json");
        StringBuilder sb = new StringBuilder("{");
        dns.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":\"").append(v).append('"'));
        Files.writeString(json, sb.append('}').toString());
        Path mail = Files.createTempFile(work, "mail", ".eml");
        Files.write(mail, message);
        Process p;
        try {
            p = new ProcessBuilder(PYTHON, script.toString(), json.toString(), mail.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail(PYTHON + " is missing: apt-get install -y python3 python3-dkim (" + e.getMessage() + ")");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        if (out.contains("No module named 'dkim'")) {
            fail("dkimpy is not installed for " + PYTHON + ": apt-get install -y python3-dkim");
        }
        return out.trim();
    }

    private static List<String> signatures(Received mail) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?im)^DKIM-Signature:(.*(?:\r\n[ \t].*)*)").matcher(mail.content());
        while (m.find()) {
            out.add(m.group(1).replaceAll("\\s+", ""));
        }
        return out;
    }

    @Test
    @Order(1)
    void twoDomainsWithDifferentSelectorsAndAlgorithmsAndADualSignedOneVerifyIndependently() throws Exception {
        Received a = relay("alice@a.example", "rsa only", "Hello from a");
        Received b = relay("bert@b.example", "ed25519 only", "Hello from b\n.leading dot\n\n\n");
        Received c = relay("carol@c.example", "dual", "Hello from c, folded and long " + "x".repeat(900));

        assertThat(signatures(a)).singleElement().satisfies(s -> assertThat(s).contains("a=rsa-sha256;").contains("d=a.example;").contains("s=s1;"));
        assertThat(signatures(b)).singleElement().satisfies(s -> assertThat(s).contains("a=ed25519-sha256;").contains("d=b.example;").contains("s=e1;"));
        assertThat(signatures(c)).hasSize(2);
        assertThat(signatures(c).get(0)).contains("a=rsa-sha256;").contains("d=c.example;").contains("s=r1;");
        assertThat(signatures(c).get(1)).contains("a=ed25519-sha256;").contains("d=c.example;").contains("s=e1;");
        for (Received mail : List.of(a, b, c)) {
            assertThat(mail.content().indexOf("DKIM-Signature:")).as("above the trace fields").isLessThan(mail.content().indexOf("Received:"));
            assertThat(dkimpy(mail.data)).as("dkimpy").contains(" pass ").doesNotContain("fail");
            assertThat(ourVerifier(mail.data)).as("our verifier").isNotEmpty().allMatch(DkimVerificationResult::passed);
        }
        // the RSA signatures above were made by OpenSSL's libcrypto inside James (rsaEngine=auto, JNA from James's lib/)
        assertThat(server.console()).contains("rsaEngine=auto: ").contains("libcrypto OpenSSL ")
                .contains("2048-bit RSA key handed to libcrypto, OpenSSL ");
    }

    @Test
    @Order(2)
    void eightBitMailIsConvertedThenSignedAndStillVerifies() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        String message = "From: carol@c.example\r\nTo: bob@remote.example\r\nSubject: umlauts\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Zürich " + marker + "\r\n";
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            assertThat(client.send("app@c.example", "bob@remote.example", message).code).isEqualTo(250);
        }
        Received mail = sink.awaitContaining(marker, DELIVERY);

        assertThat(mail.content()).contains("Content-Transfer-Encoding: quoted-printable").contains("Gr=C3=BC=C3=9Fe");
        assertThat(dkimpy(mail.data)).contains(" pass ").doesNotContain("fail");
        assertThat(ourVerifier(mail.data)).hasSize(2).allMatch(DkimVerificationResult::passed);
    }

    @Test
    @Order(3)
    void aForeignFromDomainStaysUnsigned() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", server.smtpPort)) {
            client.ehlo("app.test");
            SmtpClient.Reply reply = client.send("app@a.example", "bob@remote.example",
                SmtpClient.message("Someone <someone@foreign.example>", "bob@remote.example", "not ours", "no signature please\n" + marker));
            assertThat(reply.code).as(reply.toString()).isEqualTo(250);
        }
        Received mail = sink.awaitContaining(marker, DELIVERY);

        assertThat(mail.content()).contains("From: Someone <someone@foreign.example>").doesNotContain("DKIM-Signature");
    }

    /** Issue 6 meets issue 5: a domain move rewrites From: first (stage 2), then DKIM signs the NEW domain (stage 4). */
    @Test
    @Order(8)
    void aDomainMoveIsSignedForTheRewrittenFromDomain() throws Exception {
        keygen("new.example", "m1", "ed25519");
        Files.writeString(server.home.resolve("conf/rewrite.table"),
            "@old.example  @new.example  apply=envelope-sender,sender-headers dir=out id=rename\n");
        Thread.sleep(6_000); // RewriteAddresses re-reads its table at most every 5 s

        Received mail = relay("joerg@old.example", "moved", "Hello from the renamed company");

        assertThat(mail.mailFrom).isEqualTo("app@new.example");
        assertThat(mail.content()).contains("From: Sender <joerg@new.example>").doesNotContain("joerg@old.example");
        assertThat(signatures(mail)).singleElement().satisfies(s -> assertThat(s).contains("d=new.example;").contains("s=m1;"));
        assertThat(dkimpy(mail.data)).contains(" pass ").doesNotContain("fail");
        assertThat(ourVerifier(mail.data)).singleElement().matches(DkimVerificationResult::passed);
    }

    @Test
    @Order(4)
    void aTamperedCopyFailsBothVerifiers() throws Exception {
        Received mail = relay("alice@a.example", "tamper", "pay 100 EUR");
        String original = mail.content();
        byte[] body = original.replace("pay 100 EUR", "pay 900 EUR").getBytes(StandardCharsets.UTF_8);
        byte[] subject = original.replace("Subject: tamper", "Subject: tampered").getBytes(StandardCharsets.UTF_8);

        assertThat(dkimpy(mail.data)).contains(" pass ");
        assertThat(dkimpy(body)).contains(" fail ");
        assertThat(dkimpy(subject)).contains(" fail ");
        assertThat(ourVerifier(body)).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo(DkimVerificationResult.Reason.BODY_HASH_MISMATCH));
        assertThat(ourVerifier(subject)).singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo(DkimVerificationResult.Reason.SIGNATURE_MISMATCH));
    }

    @Test
    @Order(5)
    void listShowsDomainsSelectorsAlgorithmsAndDnsNames() throws Exception {
        CliResult list = server.smarthostCli("dkim", "list");

        assertThat(list.exitCode).as(list.toString()).isZero();
        assertThat(list.output).contains("s1._domainkey.a.example").contains("rsa-sha256/2048")
            .contains("e1._domainkey.b.example").contains("ed25519-sha256")
            .contains("c.example -> c.example-r1, c.example-e1");
    }

    @Test
    @Order(6)
    void rotatingAKeyWithKeygenAndReloadTakesEffectWithoutRestart() throws Exception {
        String pid = Files.readString(server.home.resolve("var/smarthost.pid")).trim();
        keygen("a.example", "s2", "rsa");
        CliResult reload = server.smarthostCli("dkim", "reload");
        assertThat(reload.exitCode).as(reload.toString()).isZero();

        Received mail = relay("alice@a.example", "after rotation", "new key");

        assertThat(signatures(mail)).singleElement().satisfies(s -> assertThat(s).contains("s=s2;").contains("d=a.example;"));
        assertThat(dkimpy(mail.data)).contains(" pass ");
        assertThat(ourVerifier(mail.data)).singleElement().matches(DkimVerificationResult::passed);
        assertThat(Files.readString(server.home.resolve("var/smarthost.pid")).trim()).as("same server process").isEqualTo(pid);
        assertThat(server.isRunning()).isTrue();
    }

    @Test
    @Order(7)
    void checkDnsComparesWhatDnsmasqPublishesWithTheKeys() throws Exception {
        int port = SmarthostServer.freePort();
        List<String> command = new ArrayList<>(List.of("dnsmasq", "--no-daemon", "--port=" + port, "--listen-address=127.0.0.1",
            "--bind-interfaces", "--no-resolv", "--no-hosts"));
        command.add(txtRecord("e1._domainkey.b.example", dnsStrings.get("e1._domainkey.b.example")));
        command.add(txtRecord("r1._domainkey.c.example", dnsStrings.get("r1._domainkey.c.example")));
        command.add(txtRecord("e1._domainkey.c.example", dnsStrings.get("e1._domainkey.b.example"))); // wrong key
        Process dnsmasq;
        try {
            dnsmasq = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("dnsmasq.log").toFile()).start();
        } catch (IOException e) {
            fail("dnsmasq is missing: apt-get install -y dnsmasq-base (" + e.getMessage() + ")");
            return;
        }
        try {
            awaitDnsmasq(dnsmasq);
            CliResult good = server.smarthostCli("dkim", "check-dns", "b.example", "--resolver", "127.0.0.1:" + port);
            CliResult bad = server.smarthostCli("dkim", "check-dns", "c.example", "--resolver", "127.0.0.1:" + port);

            assertThat(good.exitCode).as(good.toString()).isZero();
            assertThat(good.output).contains("OK       e1._domainkey.b.example");
            assertThat(bad.exitCode).as(bad.toString()).isEqualTo(1);
            assertThat(bad.output).contains("OK       r1._domainkey.c.example")
                .contains("MISMATCH e1._domainkey.c.example").contains("public key p= differs");
        } finally {
            dnsmasq.destroy();
            dnsmasq.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String txtRecord(String name, List<String> strings) {
        StringBuilder sb = new StringBuilder("--txt-record=").append(name);
        for (String s : strings) {
            sb.append(',').append(s); // dnsmasq takes each comma-separated item as one TXT string, quotes literally
        }
        return sb.toString();
    }

    private void awaitDnsmasq(Process dnsmasq) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String log = Files.exists(work.resolve("dnsmasq.log")) ? Files.readString(work.resolve("dnsmasq.log")) : "";
            if (log.contains("started")) {
                return;
            }
            if (!dnsmasq.isAlive()) {
                fail("dnsmasq exited: " + log);
            }
            Thread.sleep(100);
        }
        fail("dnsmasq did not start within 20 s");
    }
}
