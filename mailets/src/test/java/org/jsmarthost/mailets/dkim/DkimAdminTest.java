package org.jsmarthost.mailets.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.jsmarthost.core.dkim.DkimKeys;
import org.jsmarthost.core.dkim.DnsRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimAdminTest {
    @TempDir
    Path home;
    private Path dkim;
    private DkimStore store;
    private final Map<String, List<String>> published = new java.util.HashMap<>();
    private DkimAdmin admin;

    @BeforeEach
    void setUp() throws Exception {
        dkim = DkimTestSupport.writeTables(home);
        store = new DkimStore(dkim.resolve("keytable"), dkim.resolve("signingtable"), Clock.systemUTC());
        admin = new DkimAdmin(store, (name, resolver) -> published.getOrDefault(name, List.of()));
    }

    @Test
    void keygenWritesAPrivateKeyReadableOnlyByTheOwnerRegistersItAndPrintsTheDnsRecord() throws Exception {
        List<String> out = admin.keygen("fresh.example", "s2026", "rsa", 2048, true);

        Path key = dkim.resolve("keys/fresh.example.s2026.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        DnsRecord record = DnsRecord.of("fresh.example", "s2026", DkimKeys.load(key));
        assertThat(out).contains("  " + record.zoneFileLine());
        assertThat(record.strings()).hasSize(2).allMatch(s -> s.length() <= 255);
        assertThat(out).contains("string: \"" + record.strings().get(0) + "\"");
        assertThat(Files.readString(dkim.resolve("keytable")))
                .contains("fresh.example-s2026 domain=fresh.example selector=s2026 algorithm=rsa-sha256 key=keys/fresh.example.s2026.pem");
        assertThat(Files.readString(dkim.resolve("signingtable"))).contains("fresh.example fresh.example-s2026");
        assertThat(store.tables().select("a@fresh.example").keys()).extracting(k -> k.selector()).containsExactly("s2026");
        assertThat(String.join("\n", admin.list())).contains("fresh.example").contains("s2026._domainkey.fresh.example")
                .contains("rsa-sha256/2048");
    }

    @Test
    void keygenOfTheSameAlgorithmRotatesAndOfTheOtherAlgorithmAddsADualSignature() throws Exception {
        admin.keygen("example.com", "s2", "rsa", 1024, true);
        assertThat(store.tables().select("a@example.com").keys()).extracting(k -> k.name())
                .containsExactly("ex-ed", "example.com-s2");

        admin.keygen("shop.example.org", "ed1", "ed25519", 0, true);
        assertThat(store.tables().select("a@shop.example.org").keys()).extracting(k -> k.name())
                .containsExactly("shop", "shop.example.org-ed1");
    }

    @Test
    void keygenNoRegisterLeavesTheTablesAlone() throws Exception {
        String before = Files.readString(dkim.resolve("keytable"));
        List<String> out = admin.keygen("later.example", "s1", "ed25519", 0, false);

        assertThat(Files.readString(dkim.resolve("keytable"))).isEqualTo(before);
        assertThat(Files.exists(dkim.resolve("keys/later.example.s1.pem"))).isTrue();
        assertThat(String.join("\n", out)).contains("not registered").contains("later.example-s1 domain=later.example");
    }

    @Test
    void keygenRefusesBadInputAndNeverOverwrites() {
        assertThatThrownBy(() -> admin.keygen("example.com", "s1", "rsa", 2048, true)).hasMessageContaining("selector 's1' of example.com is already used");
        assertThatThrownBy(() -> admin.keygen("bad domain", "s", "rsa", 2048, true)).hasMessageContaining("not a valid domain");
        assertThatThrownBy(() -> admin.keygen("x.example", "s", "dsa", 2048, true)).hasMessageContaining("'dsa' is not a supported DKIM algorithm");
        assertThatThrownBy(() -> admin.keygen("x.example", "s", "rsa", 512, true)).hasMessageContaining("--bits 512 is not valid");
    }

    @Test
    void checkDnsComparesThePublishedRecordWithTheKey() throws Exception {
        DnsRecord rsa = store.tables().keys().get("ex-rsa").dnsRecord();
        published.put(rsa.name(), List.of("v=DKIM1; k=rsa; p=" + rsa.value().substring(rsa.value().indexOf("p=") + 2)));
        published.put("e1._domainkey.example.com", List.of(store.tables().keys().get("shop").dnsRecord().value()));

        List<String> out = admin.checkDns("example.com", "");

        assertThat(out.get(0)).startsWith("OK       s1._domainkey.example.com");
        assertThat(out.get(1)).startsWith("MISMATCH e1._domainkey.example.com").contains("k=rsa, expected k=ed25519");
        assertThatThrownBy(() -> admin.checkDns("nothere.example", "")).hasMessageContaining("no key for domain 'nothere.example'");
    }

    @Test
    void reloadReportsTheErrorAndKeepsTheOldTables() throws Exception {
        Files.writeString(dkim.resolve("keytable"), "broken\n", java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(admin::reload).hasMessageContaining("keytable line 5: key 'broken' lacks domain=");
        assertThat(admin.getLastReloadError()).contains("line 5");
        assertThat(store.tables().keys()).hasSize(3);
    }
}
