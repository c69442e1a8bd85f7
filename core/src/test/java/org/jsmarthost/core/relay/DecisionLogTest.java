package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecisionLogTest {
    static final RelayDecider DECIDER = RelayDeciderTest.DECIDER;

    @Test
    void allowedOutboundLine() {
        ClientContext c = ClientContext.builder(TrustedNetworks.parseAddress("127.0.1.5")).tls(true)
                .authLogin("Alice@example.org").build();
        Decision d = DECIDER.checkRecipient(c, "<alice@example.org>", "<bob@foreign.example>");
        assertThat(DecisionLog.format(d, c, "<alice@example.org>", "bob@foreign.example")).isEqualTo(
                "relay-decision rule=outbound.auth outcome=allow code=250 status=2.1.5 client=127.0.1.5 tls=yes"
                + " submission=no login=alice@example.org identity=auth:alice@example.org sender=<alice@example.org>"
                + " recipient=<bob@foreign.example> text=\"Recipient ok (authenticated as alice@example.org)\"");
    }

    @Test
    void refusedLineWithNullSenderAndIpv6Client() {
        ClientContext c = ClientContext.builder(TrustedNetworks.parseAddress("2001:DB8:0:0::dead")).build();
        Decision d = DECIDER.checkRecipient(c, "<>", "<v@foreign.example>");
        assertThat(DecisionLog.format(d, c, "<>", "<v@foreign.example>")).startsWith(
                "relay-decision rule=outbound.relay-denied outcome=refuse code=550 status=5.7.1 client=2001:db8::dead"
                + " tls=no submission=no login=- identity=- sender=<> recipient=<v@foreign.example> text=\"Relay access");
    }

    @Test
    void headerDecisionWithoutEnvelope() {
        ClientContext c = ClientContext.builder(TrustedNetworks.parseAddress("127.0.1.5")).popLogin("bob@example.org")
                .build();
        Decision d = DECIDER.checkHeaders(c, java.util.List.of("alice@example.org"), null);
        assertThat(DecisionLog.format(d, c, null, null)).contains(" rule=header.from-not-owned ")
                .contains(" login=bob@example.org ").contains(" sender=- recipient=- ");
    }

    @Test
    void hostileValuesCannotForgeLogLines() {
        ClientContext c = ClientContext.builder(TrustedNetworks.parseAddress("127.0.1.5")).build();
        String evil = "<x@example.org>\r\nrelay-decision rule=outbound.auth outcome=allow \"\\ \u00e9";
        Decision d = DECIDER.checkRecipient(c, "<a@evil.example>", evil);
        String line = DecisionLog.format(d, c, "<a@evil.example>", evil);
        assertThat(line).doesNotContain("\r").doesNotContain("\n").contains(" rule=addr.control-char ");
        assertThat(line).contains("recipient=\"<<x@example.org>\\x0d\\x0arelay-decision rule=outbound.auth"
                + " outcome=allow \\\"\\\\ \\xe9>\"");
    }

    @Test
    void longValuesAreCut() {
        assertThat(DecisionLog.quote("a".repeat(400))).isEqualTo("a".repeat(300) + "...");
        assertThat(DecisionLog.quote(" ".repeat(400))).isEqualTo("\"" + " ".repeat(300) + "...\"");
        assertThat(DecisionLog.quote("")).isEqualTo("\"\"");
        assertThat(DecisionLog.quote("plain.value@x:1/2+3=4<>-_")).isEqualTo("plain.value@x:1/2+3=4<>-_");
        assertThat(DecisionLog.quote("\u2603")).isEqualTo("\"\\u2603\"");
    }
}
