package org.jsmarthost.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.jsmarthost.distribution.SmarthostSettings.Key;
import org.junit.jupiter.api.Test;

class SmarthostSettingsTest {
    @Test
    void defaultsMatchTheReadme() {
        SmarthostSettings settings = SmarthostSettings.from(Map.of(), "mx1.corp.example");

        assertThat(settings.get(Key.BIND)).isEqualTo("127.0.0.1");
        assertThat(settings.port(Key.SMTP_PORT)).isEqualTo(2525);
        assertThat(settings.port(Key.SUBMISSION_PORT)).isEqualTo(2587);
        assertThat(settings.port(Key.SMTPS_PORT)).isEqualTo(2465);
        assertThat(settings.port(Key.POP3_PORT)).isEqualTo(2110);
        assertThat(settings.port(Key.JMX_PORT)).isEqualTo(9999);
        assertThat(settings.port(Key.WEBADMIN_PORT)).isEqualTo(8000);
        assertThat(settings.get(Key.TRUSTED_NETWORKS)).isEqualTo("127.0.0.1/32");
        assertThat(settings.get(Key.RELAYHOST)).isEmpty();
        assertThat(settings.get(Key.HELO)).isEqualTo("mx1.corp.example");
        assertThat(settings.get(Key.QUEUE_READERS)).isEqualTo("20");
    }

    @Test
    void valuesAreTakenFromTheEnvironmentAndNetworksNormalised() {
        SmarthostSettings settings = SmarthostSettings.from(Map.of(
            "SMARTHOST_SMTP_PORT", "10025",
            "SMARTHOST_TRUSTED_NETWORKS", " 192.0.2.0/24 ,2001:db8::/32,, 127.0.0.1",
            "SMARTHOST_RELAYHOST", "smtp.provider.example:587",
            "SMARTHOST_HELO", "relay.corp.example"), "ignored");

        assertThat(settings.port(Key.SMTP_PORT)).isEqualTo(10025);
        assertThat(settings.get(Key.TRUSTED_NETWORKS)).isEqualTo("192.0.2.0/24, 2001:db8::/32, 127.0.0.1");
        assertThat(settings.get(Key.RELAYHOST)).isEqualTo("smtp.provider.example:587");
        assertThat(settings.get(Key.HELO)).isEqualTo("relay.corp.example");
    }

    @Test
    void everyBadValueIsNamedWithWhatWasExpected() {
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of(
            "SMARTHOST_BIND", "localhost",
            "SMARTHOST_SMTP_PORT", "70000",
            "SMARTHOST_JMX_PORT", "x",
            "SMARTHOST_RELAYHOST", "upstream:port",
            "SMARTHOST_HELO", "bad name!",
            "SMARTHOST_QUEUE_READERS", "0"), "h"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("SMARTHOST_BIND='localhost' is invalid: expected an IPv4 address")
            .hasMessageContaining("SMARTHOST_SMTP_PORT='70000' is invalid: expected a port number 1-65535")
            .hasMessageContaining("SMARTHOST_JMX_PORT='x' is invalid")
            .hasMessageContaining("SMARTHOST_RELAYHOST='upstream:port' is invalid: expected host:port")
            .hasMessageContaining("SMARTHOST_HELO='bad name!' is invalid")
            .hasMessageContaining("SMARTHOST_QUEUE_READERS='0' is invalid: expected a number of queue readers 1-256");
    }

    @Test
    void trustingEveryoneIsRefusedBecauseItWouldBeAnOpenRelay() {
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_TRUSTED_NETWORKS", "127.0.0.1/32, 0.0.0.0/0"), "h"))
            .hasMessageContaining("SMARTHOST_TRUSTED_NETWORKS='0.0.0.0/0' is invalid")
            .hasMessageContaining("open relay");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_TRUSTED_NETWORKS", "::/0"), "h"))
            .hasMessageContaining("open relay");
    }

    @Test
    void malformedOrEmptyNetworksFailClosed() {
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_TRUSTED_NETWORKS", "corp.example/24"), "h"))
            .hasMessageContaining("'corp.example/24' is invalid").hasMessageContaining("host names are not accepted");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_TRUSTED_NETWORKS", "10.0.0.0/33"), "h"))
            .hasMessageContaining("prefix length 1-32");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_TRUSTED_NETWORKS", "300.1.1.1/32"), "h"))
            .hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_TRUSTED_NETWORKS", " , "), "h"))
            .hasMessageContaining("at least one network");
    }

    @Test
    void deliveryDelaysDefaultToAboutFourDaysAndAcceptJamesDelayTimeSyntax() {
        assertThat(SmarthostSettings.from(Map.of(), "h").get(Key.DELIVERY_DELAYS))
            .isEqualTo("5 * 1 minute, 4 * 15 minutes, 6 * 1 hour, 6 * 4 hours");
        assertThat(SmarthostSettings.from(Map.of("SMARTHOST_DELIVERY_DELAYS", " 3 * 2 s, 10 seconds,1 day"), "h").get(Key.DELIVERY_DELAYS))
            .isEqualTo("3 * 2 s, 10 seconds,1 day");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_DELIVERY_DELAYS", "5 * 1 minute, soon"), "h"))
            .hasMessageContaining("SMARTHOST_DELIVERY_DELAYS='5 * 1 minute, soon' is invalid")
            .hasMessageContaining("'soon' is not [count *] amount");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_DELIVERY_DELAYS", "5 fortnights"), "h"))
            .hasMessageContaining("SMARTHOST_DELIVERY_DELAYS");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_DELIVERY_DELAYS", ""), "h"))
            .hasMessageContaining("SMARTHOST_DELIVERY_DELAYS");
    }

    @Test
    void stateBackendIsMemoryOrARedisUriAndPasswordsAreNeverEchoed() {
        assertThat(SmarthostSettings.from(Map.of(), "h").get(Key.STATE_BACKEND)).isEqualTo("memory");
        assertThat(SmarthostSettings.from(Map.of("SMARTHOST_STATE_BACKEND", "redis://127.0.0.1:16379/2"), "h").get(Key.STATE_BACKEND))
            .isEqualTo("redis://127.0.0.1:16379/2");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_STATE_BACKEND", "redis://:s3cret@127.0.0.1"), "h"))
            .hasMessageContaining("SMARTHOST_STATE_BACKEND='redis://***@127.0.0.1' is invalid: expected 'memory' or redis://HOST:PORT[/DB]")
            .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_STATE_BACKEND", "memcached"), "h"))
            .hasMessageContaining("SMARTHOST_STATE_BACKEND='memcached' is invalid");
    }

    @Test
    void portsMustDiffer() {
        assertThatThrownBy(() -> SmarthostSettings.from(Map.of("SMARTHOST_SUBMISSION_PORT", "2525"), "h"))
            .hasMessageContaining("SMARTHOST_SUBMISSION_PORT=2525 is already used by SMARTHOST_SMTP_PORT");
    }

    @Test
    void theListeningSummaryShowsEveryEndpointAndATestCommand() {
        SmarthostSettings settings = SmarthostSettings.from(Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:10026"), "mx.test");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SmarthostMain.printListening(settings, new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(out.toString(StandardCharsets.UTF_8))
            .contains("127.0.0.1:2525").contains("127.0.0.1:2587").contains("127.0.0.1:2465").contains("127.0.0.1:2110")
            .contains("127.0.0.1:9999").contains("127.0.0.1:8000")
            .contains("outbound delivery                     127.0.0.1:10026")
            .contains("swaks --server 127.0.0.1:2525");
    }
}
