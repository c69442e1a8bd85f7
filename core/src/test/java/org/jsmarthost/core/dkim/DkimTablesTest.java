package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimTablesTest {
    @TempDir
    Path dir;
    Path keyTable;
    Path signingTable;

    @BeforeEach
    void keys() throws IOException {
        Files.createDirectories(dir.resolve("keys"));
        for (String f : List.of("rsa2048-pkcs1.pem", "ed25519-pkcs8.pem", "rsa2048-pkcs8-encrypted.pem", "rsa512-pkcs1.pem",
                "password.txt")) {
            try (InputStream in = getClass().getResourceAsStream("keys/" + f)) {
                Files.copy(in, dir.resolve("keys").resolve(f));
            }
        }
        keyTable = dir.resolve("dkim-keys.conf");
        signingTable = dir.resolve("dkim-signing.conf");
        Files.writeString(keyTable, String.join("\n",
                "# name     attributes",
                "ex-rsa     domain=example.com selector=s2026r algorithm=rsa-sha256 key=keys/rsa2048-pkcs1.pem",
                "ex-ed      domain=example.com  selector=s2026e   algorithm=ed25519   key=keys/ed25519-pkcs8.pem   # comment",
                "",
                "shop       domain=shop.example.org selector=mail algorithm=rsa key=keys/rsa2048-pkcs8-encrypted.pem password-file=keys/password.txt",
                "unused     domain=spare.example selector=x algorithm=ed25519-sha256 key=" + dir.resolve("keys/ed25519-pkcs8.pem"),
                ""));
    }

    DkimTables load(String... signing) throws Exception {
        Files.writeString(signingTable, String.join("\n", signing) + "\n");
        return DkimTables.load(keyTable, signingTable);
    }

    static List<String> names(SigningPlan p) {
        return p.keys().stream().map(DkimKey::name).collect(java.util.stream.Collectors.toList());
    }

    @Test
    void searchOrder() throws Exception {
        DkimTables t = load(
                "# pattern          keys",
                "example.com        ex-rsa, ex-ed",
                "ceo@example.com    ex-ed",
                ".example.com       ex-rsa",
                "*.sub.example.com  ex-ed",
                "shop.example.org   shop");
        assertThat(names(t.select("alice@example.com"))).containsExactly("ex-rsa", "ex-ed");
        assertThat(names(t.select("CEO@Example.COM"))).containsExactly("ex-ed");
        assertThat(t.select("ceo@example.com").matchedPattern()).isEqualTo("ceo@example.com");
        assertThat(names(t.select("x@a.example.com"))).containsExactly("ex-rsa");
        assertThat(t.select("x@a.example.com").matchedPattern()).isEqualTo(".example.com");
        assertThat(names(t.select("x@deep.sub.example.com"))).containsExactly("ex-ed");
        assertThat(names(t.select("x@sub.example.com"))).containsExactly("ex-rsa"); // .sub.example.com is subdomains only
        assertThat(names(t.select("x@shop.example.org"))).containsExactly("shop");
        SigningPlan foreign = t.select("x@other.org");
        assertThat(foreign.isSigned()).isFalse();
        assertThat(foreign.reason()).isEqualTo("no DKIM key for From domain other.org");
        assertThat(t.select("x@example.org").isSigned()).isFalse(); // parent of shop.example.org is not covered
        assertThat(t.select("x@notexample.com").isSigned()).isFalse();
        assertThat(t.keys()).containsKeys("ex-rsa", "ex-ed", "shop", "unused");
        assertThat(t.keys().get("shop").algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
        assertThat(t.keys().get("ex-ed").dnsRecord().name()).isEqualTo("s2026e._domainkey.example.com");
    }

    @Test
    void defaultEntry() throws Exception {
        DkimTables t = load("example.com ex-ed", "* ex-rsa");
        assertThat(names(t.select("a@example.com"))).containsExactly("ex-ed");
        assertThat(names(t.select("a@anything.org"))).containsExactly("ex-rsa");
        assertThat(t.select("a@anything.org").matchedPattern()).isEqualTo("*");
    }

    @Test
    void fromHeaderSelection() throws Exception {
        DkimTables t = load("example.com ex-ed");
        assertThat(names(t.selectForFromHeaders(List.of("\"Alice, A.\" <alice@example.com>")))).containsExactly("ex-ed");
        assertThat(names(t.selectForFromHeaders(List.of("=?utf-8?q?J=C3=BCrgen?= <j@EXAMPLE.com>")))).containsExactly("ex-ed");
        assertThat(names(t.selectForFromHeaders(List.of("Alice\r\n <alice@example.com>")))).containsExactly("ex-ed");
        assertThat(t.selectForFromHeaders(List.of()).reason()).isEqualTo("no From header field");
        assertThat(t.selectForFromHeaders(List.of("a@example.com", "b@example.com")).reason()).contains("2 From header fields");
        assertThat(t.selectForFromHeaders(List.of("a@example.com, b@example.com")).reason()).contains("2 addresses");
        assertThat(t.selectForFromHeaders(List.of("undisclosed")).isSigned()).isFalse();
        assertThat(t.selectForFromHeaders(List.of("<a@example.com")).isSigned()).isFalse();
        assertThat(t.select("").reason()).isEqualTo("From has no address");
    }

    @Test
    void signingTableErrorsNameFileAndLine() throws Exception {
        assertError(List.of("example.com ex-rsa", "# c", "shop.example.org nosuchkey"),
                signingTable + " line 3: key name 'nosuchkey' is not defined in the key table " + keyTable);
        assertError(List.of("example.com ex-rsa", "EXAMPLE.com ex-ed"),
                signingTable + " line 2: pattern 'EXAMPLE.com' is already defined on line 1");
        assertError(List.of(".example.com ex-rsa", "*.example.com ex-ed"), "line 2: pattern '*.example.com' is already defined on line 1");
        assertError(List.of("example.com"), "line 1: 'example.com' has no key name");
        assertError(List.of("bad..domain ex-rsa"), "line 1: pattern 'bad..domain' is not valid");
        assertError(List.of("@example.com ex-rsa"), "line 1: pattern '@example.com' has an empty local part");
        assertError(List.of("example.com ex-rsa ex-rsa"), "line 1: key name 'ex-rsa' is listed twice");
    }

    void assertError(List<String> signing, String expected) {
        assertThatThrownBy(() -> load(signing.toArray(new String[0])))
                .isInstanceOf(DkimConfigException.class).hasMessageContaining(expected);
    }

    @Test
    void keyTableErrorsNameFileAndLine() throws Exception {
        Files.writeString(signingTable, "example.com k\n");
        String[][] cases = {
            {"k domain=example.com selector=s algorithm=rsa key=keys/rsa512-pkcs1.pem", "line 1: key file", "512 bits"},
            {"k domain=example.com selector=s algorithm=rsa key=keys/missing.pem", "line 1: key file", "cannot read"},
            {"k domain=example.com selector=s algorithm=ed25519 key=keys/rsa2048-pkcs1.pem", "line 1: key file", "holds an rsa key but algorithm=ed25519"},
            {"k domain=example.com selector=s algorithm=rsa key=keys/rsa2048-pkcs8-encrypted.pem", "line 1: key file", "no password"},
            {"k domain=example.com selector=s algorithm=dsa key=keys/rsa2048-pkcs1.pem", "line 1: 'dsa' is not a supported DKIM algorithm", ""},
            {"k domain=example..com selector=s algorithm=rsa key=keys/rsa2048-pkcs1.pem", "line 1: domain 'example..com' is not a valid domain", ""},
            {"k domain=example.com algorithm=rsa key=keys/rsa2048-pkcs1.pem", "line 1: key 'k' lacks selector=", ""},
            {"k domain=example.com selector=s algorithm=rsa key=keys/rsa2048-pkcs1.pem colour=blue", "line 1: unknown attribute 'colour'", ""},
            {"k domain=example.com selector=s selector=t algorithm=rsa key=keys/rsa2048-pkcs1.pem", "line 1: attribute 'selector' given twice", ""},
            {"k domain=example.com selector=s algorithm=rsa key=keys/rsa2048-pkcs1.pem password-file=nope.txt", "line 1: cannot read password file", ""},
            {"# first\nk domain=example.com selector=s algorithm=rsa key=keys/rsa2048-pkcs1.pem\nk domain=example.com selector=t algorithm=rsa key=keys/rsa2048-pkcs1.pem",
                "line 3: key name 'k' is already defined on line 2", ""},
            {"domain=example.com selector=s", "line 1: 'domain=example.com' is not a key name", ""},
        };
        for (String[] c : cases) {
            Files.writeString(keyTable, c[0] + "\n");
            assertThatThrownBy(() -> DkimTables.load(keyTable, signingTable)).as(c[0])
                    .isInstanceOf(DkimConfigException.class)
                    .hasMessageStartingWith(keyTable.toString())
                    .hasMessageContaining(c[1]).hasMessageContaining(c[2]);
        }
        assertThatThrownBy(() -> DkimTables.load(dir.resolve("nope.conf"), signingTable))
                .hasMessageContaining("nope.conf: cannot read");
    }

    @Test
    void linesWrittenByToolingLoadBack() throws Exception {
        Files.writeString(keyTable, DkimTables.keyTableLine("new-ed", "Example.com", "s2027", DkimAlgorithm.ED25519_SHA256,
                dir.resolve("keys/ed25519-pkcs8.pem"), null) + "\n"
                + DkimTables.keyTableLine("new-rsa", "example.com", "s2027r", DkimAlgorithm.RSA_SHA256,
                        Path.of("keys/rsa2048-pkcs8-encrypted.pem"), Path.of("keys/password.txt")) + "\n");
        Files.writeString(signingTable, DkimTables.signingTableLine("example.com", List.of("new-ed", "new-rsa")) + "\n");
        DkimTables t = DkimTables.load(keyTable, signingTable);
        assertThat(names(t.select("a@example.com"))).containsExactly("new-ed", "new-rsa");
        assertThatThrownBy(() -> DkimTables.keyTableLine("a b", "example.com", "s", DkimAlgorithm.RSA_SHA256, Path.of("k"), null))
                .hasMessageContaining("'a b'");
        assertThatThrownBy(() -> DkimTables.keyTableLine("k", "example.com", "s", DkimAlgorithm.RSA_SHA256, Path.of("my keys/k.pem"), null))
                .hasMessageContaining("white space");
        assertThatThrownBy(() -> DkimTables.signingTableLine("bad..domain", List.of("k"))).hasMessageContaining("bad..domain");
    }

    @Test
    void reloadGivesANewSnapshotAndTheOldStaysIntact() throws Exception {
        DkimTables before = load("example.com ex-rsa");
        DkimTables after = load("example.com ex-ed");
        assertThat(names(before.select("a@example.com"))).containsExactly("ex-rsa");
        assertThat(names(after.select("a@example.com"))).containsExactly("ex-ed");
        assertThatThrownBy(() -> before.signingTable().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void tablesDriveTheSignerEndToEnd() throws Exception {
        DkimTables t = load("example.com ex-rsa, ex-ed");
        SigningPlan plan = t.selectForFromHeaders(List.of("Alice Example <alice@example.com>"));
        SignResult r = new DkimSigner().sign(new java.io.ByteArrayInputStream(TestMessages.corpus().get("plain")), plan);
        assertThat(r.signatures()).extracting(s -> s.key().selector()).containsExactly("s2026r", "s2026e");
        java.util.Map<String, String> dns = new java.util.HashMap<>();
        for (DkimKey k : t.keys().values()) {
            dns.put(k.dnsRecord().name(), k.dnsRecord().value());
        }
        assertThat(new DkimVerifier().verify(new java.io.ByteArrayInputStream(TestMessages.wire(r.signatures(), TestMessages.corpus().get("plain"))),
                (s, d) -> List.of(dns.get(s + "._domainkey." + d)))).hasSize(2).allMatch(DkimVerificationResult::passed);
    }
}
