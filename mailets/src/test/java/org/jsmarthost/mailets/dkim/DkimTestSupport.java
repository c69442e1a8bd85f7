package org.jsmarthost.mailets.dkim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.jsmarthost.core.dkim.DkimKey;
import org.jsmarthost.core.dkim.DkimKeys;
import org.jsmarthost.core.dkim.DkimPrivateKey;
import org.jsmarthost.core.dkim.DkimTables;
import org.jsmarthost.core.dkim.DkimVerificationResult;
import org.jsmarthost.core.dkim.DkimVerifier;
import org.apache.mailet.base.test.FakeMail;

/** Keys made once per JVM, tables in a temporary folder, messages, and verification against the table keys. */
final class DkimTestSupport {
    static final DkimPrivateKey RSA = DkimKeys.generateRsa(2048);

    /** What James would send: the message as writeTo writes it. */
    static byte[] bytes(MimeMessage message) throws IOException, MessagingException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
    static final DkimPrivateKey ED = DkimKeys.generateEd25519();
    static final DkimPrivateKey RSA_OTHER = DkimKeys.generateRsa(1024);

    private DkimTestSupport() {
    }

    /** conf/dkim/{keytable,signingtable,keys/} under home: example.com dual (RSA + Ed25519), shop.example.org RSA. */
    static Path writeTables(Path home) throws IOException {
        Path dir = Files.createDirectories(home.resolve("conf/dkim/keys"));
        DkimKeys.writePkcs8Pem(RSA, dir.resolve("example.com.s1.pem"));
        DkimKeys.writePkcs8Pem(ED, dir.resolve("example.com.e1.pem"));
        DkimKeys.writePkcs8Pem(RSA_OTHER, dir.resolve("shop.example.org.mail.pem"));
        Files.writeString(dir.resolve("../keytable"), String.join("\n",
                "# test key table",
                "ex-rsa  domain=example.com selector=s1 algorithm=rsa-sha256 key=keys/example.com.s1.pem",
                "ex-ed   domain=example.com selector=e1 algorithm=ed25519-sha256 key=keys/example.com.e1.pem",
                "shop    domain=shop.example.org selector=mail algorithm=rsa key=keys/shop.example.org.mail.pem", ""));
        Files.writeString(dir.resolve("../signingtable"), String.join("\n",
                "example.com       ex-rsa, ex-ed",
                "shop.example.org  shop", ""));
        return dir.getParent();
    }

    static MimeMessage message(String raw) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(raw.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)));
    }

    static FakeMail mail(String raw) throws MessagingException {
        return FakeMail.builder().name("mail-1").mimeMessage(message(raw)).sender("joe@example.com")
                .recipient("bob@remote.example").build();
    }

    static String simple(String from) {
        return "From: Joe <" + from + ">\nTo: bob@remote.example\nSubject: hello\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n"
                + "Message-ID: <1@example.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nHello Bob,\n.dot\n";
    }

    /** Verifies the message with the public keys of the tables (what a receiver with our DNS records does). */
    static List<DkimVerificationResult> verify(MimeMessage message, Path keyTable, Path signingTable) throws Exception {
        return verify(message, keyTable, signingTable, java.time.Clock.systemUTC());
    }

    /** As {@link #verify(MimeMessage, Path, Path)}, at the time of {@code clock} (the one the signer used: x= expiry). */
    static List<DkimVerificationResult> verify(MimeMessage message, Path keyTable, Path signingTable, java.time.Clock clock)
            throws Exception {
        DkimTables tables = DkimTables.load(keyTable, signingTable);
        return new DkimVerifier(clock).verify(new ByteArrayInputStream(bytes(message)), (selector, domain) -> {
            List<String> out = new ArrayList<>();
            for (DkimKey k : tables.keys().values()) {
                if (k.selector().equals(selector) && k.domain().equals(domain)) {
                    out.add(k.dnsRecord().value());
                }
            }
            return out;
        });
    }
}
