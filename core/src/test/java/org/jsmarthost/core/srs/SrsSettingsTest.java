package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrsSettingsTest {
    @TempDir
    Path home;

    private final Map<String, String> params = new HashMap<>();

    private SrsSettings parse(Optional<String> helo) {
        return SrsSettings.parse(params::get, helo, home);
    }

    @Test
    void defaultsAreTheHeloNameConfSecretsAndTheSchemeDefaults() {
        SrsSettings settings = parse(Optional.of("Relay.Example.NET"));

        assertThat(settings.config().srsDomain()).isEqualTo("relay.example.net");
        assertThat(settings.config().hashLength()).isEqualTo(4);
        assertThat(settings.config().hashMin()).isEqualTo(4);
        assertThat(settings.config().maxAgeDays()).isEqualTo(21);
        assertThat(settings.secretsFile()).isEqualTo(home.resolve("conf/srs.secrets"));
    }

    @Test
    void everyParameterIsRead() {
        params.put("srsDomain", "srs.example.org");
        params.put("secretsFile", "/etc/smarthost/srs.keys");
        params.put("hashLength", " 8 ");
        params.put("hashMin", "6");
        params.put("maxAgeDays", "7");

        SrsSettings settings = parse(Optional.of("ignored.example"));

        assertThat(settings.config().srsDomain()).isEqualTo("srs.example.org");
        assertThat(settings.config().hashLength()).isEqualTo(8);
        assertThat(settings.config().hashMin()).isEqualTo(6);
        assertThat(settings.config().maxAgeDays()).isEqualTo(7);
        assertThat(settings.secretsFile()).isEqualTo(Path.of("/etc/smarthost/srs.keys"));
    }

    @Test
    void missingDomainWithoutHeloNameIsRefused() {
        assertThatThrownBy(() -> parse(Optional.empty()))
                .hasMessageContaining("srsDomain: missing").hasMessageContaining("smarthost.helo");
    }

    @Test
    void badValuesNameTheParameterTheValueAndTheExpectation() {
        params.put("hashLength", "four");
        assertThatThrownBy(() -> parse(Optional.of("a.example")))
                .hasMessage("hashLength: 'four' is not a whole number, expected 4..27");
        params.put("hashLength", "3");
        assertThatThrownBy(() -> parse(Optional.of("a.example"))).hasMessageStartingWith("hashLength: '3' is out of range");
        params.remove("hashLength");
        params.put("maxAgeDays", "0");
        assertThatThrownBy(() -> parse(Optional.of("a.example"))).hasMessageStartingWith("maxAgeDays: '0' is out of range");
        params.remove("maxAgeDays");
        params.put("hashMin", "5");
        assertThatThrownBy(() -> parse(Optional.of("a.example"))).hasMessageStartingWith("hashMin: '5' is out of range");
        params.remove("hashMin");
        params.put("srsDomain", "not a domain");
        assertThatThrownBy(() -> parse(Optional.of("a.example"))).hasMessageStartingWith("srsDomain: 'not a domain'");
        params.put("srsDomain", "ok.example");
        params.put("secretsFile", " ");
        assertThatThrownBy(() -> parse(Optional.of("a.example"))).hasMessageStartingWith("secretsFile: '' is empty");
    }

    @Test
    void codecCreatesTheSecretsFileOnFirstUseAndReusesItAfterwards() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);
        SrsSettings settings = parse(Optional.of("srs.example.net"));

        String first = settings.codec(clock, d -> false).forward("user@orig.example").address();
        assertThat(Files.exists(home.resolve("conf/srs.secrets"))).isTrue();
        String second = settings.codec(clock, d -> false).forward("user@orig.example").address();

        assertThat(first).startsWith("SRS0=").endsWith("=orig.example=user@srs.example.net").isEqualTo(second);
    }
}
