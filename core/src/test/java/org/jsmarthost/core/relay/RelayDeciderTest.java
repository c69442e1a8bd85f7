package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RelayDeciderTest {
    static final String POLICY = String.join("\n",
            "trusted_networks = 127.0.0.0/24, ::1/128, 2001:db8:100::/48",
            "sender_domains = example.net",
            "relay_domain partner.example = mail.partner.example:2525",
            "relay_domain backup.example = mx",
            "relay_recipients partner.example = info@partner.example, sales@partner.example",
            "grant alice@example.org = postmaster@example.org, @example.net, @other.example",
            "grant bob = bob@example.org",
            "pop_window = 30m");

    static final InetAddress UNTRUSTED = ip("127.0.1.5");
    static final InetAddress TRUSTED = ip("127.0.0.9");

    /** James DomainList: example.org only. */
    static final LocalDomains LOCAL = d -> d.equals("example.org");

    /** James RRT: sales@ -> alice, bob.alias@ -> bob@example.org. */
    static final AliasResolver RRT = new AliasResolver() {
        final Map<String, String> map = Map.of("sales@example.org", "alice@example.org",
                "bob.alias@example.org", "bob@example.org");

        @Override
        public boolean mapsTo(EnvelopeAddress address, String login) {
            return login.equals(map.get(address.canonical()));
        }

        @Override
        public Set<EnvelopeAddress> aliasesOf(String login) {
            return Set.of();
        }
    };

    static RelayPolicy policy(String text) {
        try {
            return RelayPolicy.parse(text, "test.conf", null);
        } catch (PolicyException e) {
            throw new IllegalStateException(e);
        }
    }

    static final RelayDecider DECIDER = new RelayDecider(() -> policy(POLICY), LOCAL, RRT);

    static InetAddress ip(String s) {
        return TrustedNetworks.parseAddress(s);
    }

    static ClientContext untrusted() {
        return ClientContext.builder(UNTRUSTED).build();
    }

    static ClientContext trusted() {
        return ClientContext.builder(TRUSTED).build();
    }

    static ClientContext auth(String login) {
        return ClientContext.builder(UNTRUSTED).tls(true).authLogin(login).build();
    }

    static ClientContext pop(String login) {
        return ClientContext.builder(UNTRUSTED).popLogin(login).build();
    }

    static ClientContext submission(boolean tls, String login) {
        return ClientContext.builder(UNTRUSTED).submission(true).tls(tls).authLogin(login).build();
    }

    static Stream<Arguments> relayTricks() {
        return Stream.of(
            Arguments.of("plain open-relay test", untrusted(), "<spam@evil.example>", "<victim@foreign.example>", 550, "outbound.relay-denied"),
            Arguments.of("forged local sender, no identity", untrusted(), "<alice@example.org>", "<victim@foreign.example>", 550, "outbound.relay-denied"),
            Arguments.of("after a failed AUTH (no login set)", ClientContext.builder(UNTRUSTED).tls(true).build(), "<alice@example.org>", "<victim@foreign.example>", 550, "outbound.relay-denied"),
            Arguments.of("percent hack via local domain", untrusted(), "<a@evil.example>", "<victim%foreign.example@example.org>", 553, "addr.percent-hack"),
            Arguments.of("percent hack via relay domain", untrusted(), "<a@evil.example>", "<victim%foreign.example@partner.example>", 553, "addr.percent-hack"),
            Arguments.of("UUCP bang path", untrusted(), "<a@evil.example>", "<foreign.example!victim@example.org>", 553, "addr.bang-path"),
            Arguments.of("source route", untrusted(), "<a@evil.example>", "<@example.org:victim@foreign.example>", 553, "addr.source-route"),
            Arguments.of("multi-hop source route", untrusted(), "<a@evil.example>", "<@example.org,@partner.example:victim@foreign.example>", 553, "addr.source-route"),
            Arguments.of("quoted local part with @", untrusted(), "<a@evil.example>", "<\"victim@foreign.example\"@example.org>", 553, "addr.quoted-local"),
            Arguments.of("quoted local part with %", untrusted(), "<a@evil.example>", "<\"victim%foreign.example\"@partner.example>", 553, "addr.quoted-local"),
            Arguments.of("double @", untrusted(), "<a@evil.example>", "<victim@foreign.example@example.org>", 553, "addr.multiple-at"),
            Arguments.of("IPv4 literal", untrusted(), "<a@evil.example>", "<victim@[127.0.0.1]>", 553, "addr.ip-literal"),
            Arguments.of("IPv6 literal", untrusted(), "<a@evil.example>", "<victim@[IPv6:::1]>", 553, "addr.ip-literal"),
            Arguments.of("bare numeric domain", untrusted(), "<a@evil.example>", "<victim@127.0.0.1>", 553, "addr.ip-literal"),
            Arguments.of("trailing dot on local domain", untrusted(), "<a@evil.example>", "<victim@example.org.>", 553, "addr.domain-trailing-dot"),
            Arguments.of("trailing dot on relay domain", untrusted(), "<a@evil.example>", "<info@partner.example.>", 553, "addr.domain-trailing-dot"),
            Arguments.of("unqualified recipient", untrusted(), "<a@evil.example>", "<victim>", 553, "addr.unqualified"),
            Arguments.of("unqualified postmaster", untrusted(), "<a@evil.example>", "<postmaster>", 553, "addr.unqualified"),
            Arguments.of("unqualified sender from trusted network", trusted(), "<alice>", "<victim@foreign.example>", 553, "addr.unqualified"),
            Arguments.of("IP-literal sender from trusted network", trusted(), "<alice@[127.0.0.1]>", "<victim@foreign.example>", 553, "addr.ip-literal"),
            Arguments.of("percent-hack sender from trusted network", trusted(), "<alice%foreign.example@example.org>", "<victim@foreign.example>", 553, "addr.percent-hack"),
            Arguments.of("empty recipient", untrusted(), "<a@evil.example>", "<>", 553, "addr.empty"),
            Arguments.of("CRLF command injection", untrusted(), "<a@evil.example>", "<victim@example.org>\r\nRCPT TO:<victim@foreign.example>", 553, "addr.control-char"),
            Arguments.of("NUL byte", untrusted(), "<a@evil.example>", "<victim@foreign.example\u0000@example.org>", 553, "addr.control-char"),
            Arguments.of("8-bit recipient", untrusted(), "<a@evil.example>", "<v\u00efctim@example.org>", 553, "addr.8bit"),
            Arguments.of("overlong local part", untrusted(), "<a@evil.example>", "<" + "v".repeat(65) + "@example.org>", 553, "addr.too-long"),
            Arguments.of("trailing garbage after path", untrusted(), "<a@evil.example>", "<victim@foreign.example> ", 553, "addr.syntax"),
            Arguments.of("subdomain of relay domain", untrusted(), "<a@evil.example>", "<x@sub.partner.example>", 550, "outbound.relay-denied"),
            Arguments.of("subdomain of local domain", untrusted(), "<a@evil.example>", "<x@mail.example.org>", 550, "outbound.relay-denied"),
            Arguments.of("look-alike domain", untrusted(), "<a@evil.example>", "<x@example.org.evil.example>", 550, "outbound.relay-denied"),
            Arguments.of("unknown recipient in validated relay domain", untrusted(), "<a@evil.example>", "<nobody@partner.example>", 550, "inbound.unknown-recipient"),
            Arguments.of("null sender to foreign, unauthenticated", untrusted(), "<>", "<victim@foreign.example>", 550, "outbound.relay-denied"),
            Arguments.of("null sender to foreign, AUTH", auth("alice@example.org"), "<>", "<victim@foreign.example>", 550, "outbound.null-sender"),
            Arguments.of("null sender to foreign, POP", pop("alice@example.org"), "<>", "<victim@foreign.example>", 550, "outbound.null-sender"),
            Arguments.of("trusted network, foreign sender domain", trusted(), "<x@evil.example>", "<victim@foreign.example>", 550, "outbound.foreign-sender"),
            Arguments.of("AUTH user as another user", auth("bob@example.org"), "<alice@example.org>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("AUTH user as case variant of another user", auth("bob@example.org"), "<ALICE@Example.Org>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("AUTH user as quoted variant of another user", auth("bob@example.org"), "<\"alice\"@example.org>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("AUTH user as foreign sender", auth("bob@example.org"), "<bob@evil.example>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("AUTH user as another user, to a local domain", auth("bob@example.org"), "<alice@example.org>", "<carol@example.org>", 553, "sender.not-owned"),
            Arguments.of("AUTH user as somebody else's alias", auth("bob@example.org"), "<sales@example.org>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("grant of a domain that is not ours", auth("alice@example.org"), "<x@other.example>", "<victim@foreign.example>", 550, "outbound.foreign-sender"),
            Arguments.of("AUTH on trusted network still checks ownership", ClientContext.builder(TRUSTED).authLogin("bob@example.org").build(), "<alice@example.org>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("POP user as another user", pop("bob@example.org"), "<alice@example.org>", "<victim@foreign.example>", 553, "sender.not-owned"),
            Arguments.of("submission without TLS", submission(false, "alice@example.org"), "<alice@example.org>", "<victim@foreign.example>", 530, "submission.tls-required"),
            Arguments.of("submission without AUTH", submission(true, null), "<alice@example.org>", "<victim@foreign.example>", 530, "submission.auth-required"),
            Arguments.of("submission from trusted network without AUTH", ClientContext.builder(TRUSTED).submission(true).tls(true).build(), "<alice@example.org>", "<victim@foreign.example>", 530, "submission.auth-required"),
            Arguments.of("untrusted IPv6 client", ClientContext.builder(ip("2001:db8:101::1")).build(), "<alice@example.org>", "<victim@foreign.example>", 550, "outbound.relay-denied"),
            Arguments.of("untrusted IPv4-mapped client", ClientContext.builder(ip("::ffff:127.0.1.5")).build(), "<alice@example.org>", "<victim@foreign.example>", 550, "outbound.relay-denied"),
            Arguments.of("IPv4-compatible spelling of trusted address", ClientContext.builder(ip("::127.0.0.9")).build(), "<alice@example.org>", "<victim@foreign.example>", 550, "outbound.relay-denied"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("relayTricks")
    void everyRelayTrickIsRefused(String name, ClientContext client, String sender, String recipient, int code,
            String rule) {
        Decision d = DECIDER.checkRecipient(client, sender, recipient);
        assertThat(d.outcome()).as(d.toString()).isEqualTo(Decision.Outcome.REFUSE);
        assertThat(d.isAllowed()).isFalse();
        assertThat(d.code()).as(d.toString()).isEqualTo(code);
        assertThat(d.ruleId()).as(d.toString()).isEqualTo(rule);
        assertThat(d.reply()).startsWith(code + " 5.").endsWith("[rule " + rule + "]");
    }

    @Test
    void trickBatteryIsLargeEnough() {
        assertThat(relayTricks().count()).isGreaterThanOrEqualTo(25);
    }

    @Test
    void replyCodesAndStatusesFromTheIssue() {
        assertThat(DECIDER.checkRecipient(untrusted(), "<a@evil.example>", "<v@foreign.example>").reply())
                .isEqualTo("550 5.7.1 Relay access denied: foreign.example is not a domain we serve, and the client"
                        + " is neither authenticated, nor in a trusted network, nor logged in by POP3 recently"
                        + " [rule outbound.relay-denied]");
        assertThat(DECIDER.checkSender(auth("bob@example.org"), "<alice@example.org>").reply())
                .isEqualTo("553 5.7.1 Sender address <alice@example.org> is not owned by login bob@example.org"
                        + " [rule sender.not-owned]");
        assertThat(DECIDER.checkSender(submission(true, null), "<alice@example.org>").reply())
                .isEqualTo("530 5.7.0 Authentication required on the submission port [rule submission.auth-required]");
        assertThat(DECIDER.checkRecipient(untrusted(), "<a@evil.example>", "<nobody@partner.example>").reply())
                .isEqualTo("550 5.1.1 Recipient address rejected: <nobody@partner.example> is not a known recipient"
                        + " in relay domain partner.example [rule inbound.unknown-recipient]");
        assertThat(DECIDER.checkRecipient(untrusted(), "<a@evil.example>", "<v%x@example.org>").enhancedStatus())
                .isEqualTo("5.1.3");
        assertThat(DECIDER.checkSender(untrusted(), "<a%x@evil.example>").reply())
                .isEqualTo("553 5.1.7 Sender address rejected: '%' in the local part (percent hack)"
                        + " [rule addr.percent-hack]");
    }

    static Stream<Arguments> positiveControls() {
        return Stream.of(
            Arguments.of("AUTH user, own address", auth("alice@example.org"), "<alice@example.org>", "outbound.auth"),
            Arguments.of("AUTH user, own address in other case", auth("Alice@Example.org"), "<ALICE@example.ORG>", "outbound.auth"),
            Arguments.of("AUTH user, RRT alias", auth("alice@example.org"), "<sales@example.org>", "outbound.auth"),
            Arguments.of("AUTH user, granted address", auth("alice@example.org"), "<postmaster@example.org>", "outbound.auth"),
            Arguments.of("AUTH user, granted sender domain", auth("alice@example.org"), "<anyone@example.net>", "outbound.auth"),
            Arguments.of("AUTH login without domain, granted address", auth("bob"), "<bob@example.org>", "outbound.auth"),
            Arguments.of("AUTH user, RRT alias of bob", auth("bob@example.org"), "<bob.alias@example.org>", "outbound.auth"),
            Arguments.of("trusted network, local sender", trusted(), "<anyone@example.org>", "outbound.trusted-network"),
            Arguments.of("trusted network, extra sender domain", trusted(), "<x@example.net>", "outbound.trusted-network"),
            Arguments.of("trusted network, bounce", trusted(), "<>", "outbound.trusted-network"),
            Arguments.of("trusted IPv6 loopback", ClientContext.builder(ip("::1")).build(), "<x@example.org>", "outbound.trusted-network"),
            Arguments.of("trusted IPv6 network", ClientContext.builder(ip("2001:db8:100:7::25")).build(), "<x@example.org>", "outbound.trusted-network"),
            Arguments.of("trusted IPv4-mapped", ClientContext.builder(ip("::ffff:127.0.0.9")).build(), "<x@example.org>", "outbound.trusted-network"),
            Arguments.of("trusted beats POP login", ClientContext.builder(TRUSTED).popLogin("bob@example.org").build(), "<alice@example.org>", "outbound.trusted-network"),
            Arguments.of("SMTP-after-POP", pop("alice@example.org"), "<alice@example.org>", "outbound.pop-before-smtp"),
            Arguments.of("SMTP-after-POP, alias", pop("alice@example.org"), "<sales@example.org>", "outbound.pop-before-smtp"),
            Arguments.of("submission with TLS and AUTH", submission(true, "alice@example.org"), "<alice@example.org>", "outbound.auth"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("positiveControls")
    void positiveControlsRelayOutbound(String name, ClientContext client, String sender, String rule) {
        Decision mail = DECIDER.checkSender(client, sender);
        assertThat(mail.isAllowed()).as(mail.toString()).isTrue();
        assertThat(mail.ruleId()).isEqualTo("sender.ok");
        Decision d = DECIDER.checkRecipient(client, sender, "<friend@foreign.example>");
        assertThat(d.outcome()).as(d.toString()).isEqualTo(Decision.Outcome.ALLOW);
        assertThat(d.code()).isEqualTo(250);
        assertThat(d.enhancedStatus()).isEqualTo("2.1.5");
        assertThat(d.ruleId()).isEqualTo(rule);
        assertThat(d.identity()).isPresent();
    }

    @Test
    void identitiesCarryTheirName() {
        assertThat(DECIDER.checkRecipient(auth("Alice@Example.org"), "<alice@example.org>", "<f@foreign.example>")
                .identity()).contains(Identity.auth("alice@example.org"));
        Decision t = DECIDER.checkRecipient(ClientContext.builder(ip("::ffff:127.0.0.9")).build(), "<x@example.org>",
                "<f@foreign.example>");
        assertThat(t.identity().orElseThrow().name()).isEqualTo("ip:127.0.0.9");
        assertThat(t.identity().orElseThrow().login()).isEmpty();
        assertThat(DECIDER.identity(pop("Bob@example.org"))).contains(Identity.pop("bob@example.org"));
        assertThat(DECIDER.identity(untrusted())).isEmpty();
    }

    @Test
    void inboundToRelayDomainsFromAnyone() {
        Decision d = DECIDER.checkRecipient(untrusted(), "<someone@foreign.example>", "<INFO@Partner.Example>");
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.ALLOW);
        assertThat(d.ruleId()).isEqualTo("inbound.relay-domain");
        assertThat(d.nextHop()).contains(NextHop.host("mail.partner.example", 2525));
        Decision mx = DECIDER.checkRecipient(ClientContext.builder(ip("2001:db8::dead")).build(), "<>",
                "<anyone@backup.example>");
        assertThat(mx.ruleId()).isEqualTo("inbound.relay-domain");
        assertThat(mx.nextHop().orElseThrow().isMx()).isTrue();
    }

    @Test
    void localDomainsAreLeftToJames() {
        Decision d = DECIDER.checkRecipient(untrusted(), "<someone@foreign.example>", "<carol@Example.ORG>");
        assertThat(d.outcome()).isEqualTo(Decision.Outcome.LOCAL);
        assertThat(d.ruleId()).isEqualTo("inbound.local");
        assertThat(d.isAllowed()).isFalse();
        assertThat(d.isRefused()).isFalse();
        assertThat(DECIDER.checkRecipient(untrusted(), "<>", "<carol@example.org>").outcome())
                .isEqualTo(Decision.Outcome.LOCAL);
    }

    @Test
    void severalRecipientsAreIndependent() {
        ClientContext c = untrusted();
        String from = "<x@foreign.example>";
        assertThat(DECIDER.checkRecipient(c, from, "<info@partner.example>").isAllowed()).isTrue();
        assertThat(DECIDER.checkRecipient(c, from, "<v@foreign.example>").isRefused()).isTrue();
        assertThat(DECIDER.checkRecipient(c, from, "<sales@partner.example>").isAllowed()).isTrue();
    }

    @Test
    void popWindowZeroDisablesSmtpAfterPop() {
        RelayDecider d = new RelayDecider(() -> policy(POLICY.replace("pop_window = 30m", "pop_window = 0")), LOCAL,
                RRT);
        Decision r = d.checkRecipient(pop("alice@example.org"), "<alice@example.org>", "<f@foreign.example>");
        assertThat(r.ruleId()).isEqualTo("outbound.relay-denied");
    }

    @Test
    void submissionWithoutTlsAllowedWhenConfigured() {
        RelayDecider d = new RelayDecider(() -> policy(POLICY + "\nsubmission_requires_tls = no"), LOCAL, RRT);
        assertThat(d.checkRecipient(submission(false, "alice@example.org"), "<alice@example.org>",
                "<f@foreign.example>").ruleId()).isEqualTo("outbound.auth");
        assertThat(d.checkSender(submission(false, null), "<alice@example.org>").ruleId())
                .isEqualTo("submission.auth-required");
    }

    @Test
    void eachCallUsesTheCurrentPolicySnapshot() {
        AtomicReference<RelayPolicy> ref = new AtomicReference<>(policy(POLICY));
        RelayDecider d = new RelayDecider(ref::get, LOCAL, RRT);
        ClientContext c = ClientContext.builder(UNTRUSTED).build();
        assertThat(d.checkRecipient(c, "<x@example.org>", "<f@foreign.example>").ruleId())
                .isEqualTo("outbound.relay-denied");
        ref.set(policy(POLICY.replace("127.0.0.0/24", "127.0.0.0/23")));
        assertThat(d.checkRecipient(c, "<x@example.org>", "<f@foreign.example>").ruleId())
                .isEqualTo("outbound.trusted-network");
    }

    @Test
    void failingLookupsAreTemporaryRefusals() {
        LocalDomains broken = dom -> {
            throw new IllegalStateException("domain list down");
        };
        RelayDecider d = new RelayDecider(() -> policy(POLICY), broken, RRT);
        Decision r = d.checkRecipient(trusted(), "<x@example.org>", "<f@foreign.example>");
        assertThat(r.outcome()).isEqualTo(Decision.Outcome.TEMPFAIL);
        assertThat(r.reply()).isEqualTo("451 4.3.0 Temporary lookup failure (IllegalStateException) [rule lookup.failed]");

        AliasResolver brokenRrt = new AliasResolver() {
            @Override
            public boolean mapsTo(EnvelopeAddress address, String login) {
                throw new IllegalStateException("rrt down");
            }

            @Override
            public Set<EnvelopeAddress> aliasesOf(String login) {
                return Set.of();
            }
        };
        RelayDecider d2 = new RelayDecider(() -> policy(POLICY), LOCAL, brokenRrt);
        assertThat(d2.checkSender(auth("bob@example.org"), "<someone@example.org>").ruleId()).isEqualTo("lookup.failed");
        assertThat(d2.checkHeaders(auth("bob@example.org"), List.of("someone@example.org"), null).ruleId())
                .isEqualTo("lookup.failed");
        // own address needs no lookup
        assertThat(d2.checkSender(auth("bob@example.org"), "<bob@example.org>").isAllowed()).isTrue();
    }

    @Test
    void ownsIsCaseInsensitiveAndUsesGrantsAndAliases() {
        assertThat(DECIDER.owns("ALICE@example.org", EnvelopeAddress.of("alice@EXAMPLE.org"))).isTrue();
        assertThat(DECIDER.owns("alice@example.org", EnvelopeAddress.of("whoever@example.net"))).isTrue();
        assertThat(DECIDER.owns("alice@example.org", EnvelopeAddress.of("sales@example.org"))).isTrue();
        assertThat(DECIDER.owns("alice@example.org", EnvelopeAddress.of("bob@example.org"))).isFalse();
        assertThat(DECIDER.owns("bob@example.org", EnvelopeAddress.of("whoever@example.net"))).isFalse();
    }

    // ---- header From:/Sender: ----

    static Stream<Arguments> headerCases() {
        return Stream.of(
            Arguments.of("display name", List.of("\"Alice Example\" <alice@example.org>"), null, "header.owned"),
            Arguments.of("bare address, other case", List.of("ALICE@EXAMPLE.ORG"), null, "header.owned"),
            Arguments.of("several owned", List.of("alice@example.org, Sales <sales@example.org>"), null, "header.owned"),
            Arguments.of("folded", List.of("Alice\r\n <alice@example.org>"), null, "header.owned"),
            Arguments.of("encoded display name", List.of("=?UTF-8?Q?Al=C3=AFce?= <alice@example.org>"), null, "header.owned"),
            Arguments.of("owned Sender", List.of("x@example.net"), List.of("alice@example.org"), "header.owned"),
            Arguments.of("one of several not owned", List.of("alice@example.org, bob@example.org"), null, "header.from-not-owned"),
            Arguments.of("other user", List.of("Bob <bob@example.org>"), null, "header.from-not-owned"),
            Arguments.of("display name spoof", List.of("\"alice@example.org\" <bob@example.org>"), null, "header.from-not-owned"),
            Arguments.of("no From", List.of(), null, "header.from-missing"),
            Arguments.of("null From list", null, null, "header.from-missing"),
            Arguments.of("empty From", List.of(""), null, "header.from-missing"),
            Arguments.of("two From headers", List.of("alice@example.org", "alice@example.org"), null, "header.from-invalid"),
            Arguments.of("unparseable", List.of("<<alice@example.org>"), null, "header.from-invalid"),
            Arguments.of("group syntax", List.of("undisclosed-recipients:;"), null, "header.from-invalid"),
            Arguments.of("percent hack", List.of("<bob%foreign.example@example.org>"), null, "header.from-invalid"),
            Arguments.of("unqualified", List.of("alice"), null, "header.from-invalid"),
            Arguments.of("IP literal", List.of("alice@[127.0.0.1]"), null, "header.from-invalid"),
            Arguments.of("header injection", List.of("alice@example.org\r\nBcc: x@foreign.example"), null, "header.from-invalid"),
            Arguments.of("Sender not owned", List.of("alice@example.org"), List.of("bob@example.org"), "header.sender-not-owned"),
            Arguments.of("Sender with two addresses", List.of("alice@example.org"), List.of("alice@example.org, sales@example.org"), "header.sender-invalid"),
            Arguments.of("two Sender headers", List.of("alice@example.org"), List.of("alice@example.org", "alice@example.org"), "header.sender-invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerCases")
    void headerOwnershipForALogin(String name, List<String> from, List<String> sender, String rule) {
        for (ClientContext c : List.of(auth("alice@example.org"), pop("alice@example.org"))) {
            Decision d = DECIDER.checkHeaders(c, from, sender);
            assertThat(d.ruleId()).as(d.toString()).isEqualTo(rule);
            if (rule.equals("header.owned")) {
                assertThat(d.isAllowed()).isTrue();
            } else {
                assertThat(d.reply()).startsWith("550 5.7.1 ");
            }
        }
    }

    @Test
    void headerNotOwnedNamesTheAddressAndLogin() {
        assertThat(DECIDER.checkHeaders(auth("alice@example.org"), List.of("alice@example.org, Bob <bob@example.org>"),
                null).reply()).isEqualTo("550 5.7.1 From: address <bob@example.org> is not owned by login"
                        + " alice@example.org [rule header.from-not-owned]");
    }

    @Test
    void headersOfClientsWithoutLoginAreNotChecked() {
        Decision d = DECIDER.checkHeaders(trusted(), List.of("anyone@foreign.example"), null);
        assertThat(d.isAllowed()).isTrue();
        assertThat(d.ruleId()).isEqualTo("header.not-checked");
        assertThat(DECIDER.checkHeaders(untrusted(), List.of(), null).ruleId()).isEqualTo("header.not-checked");
    }
    @Test
    void headersAreReadOnlyWhenTheDecisionNeedsThem() throws Exception {
        List<String> asked = new java.util.ArrayList<>();
        RelayDecider.HeaderValues<Exception> headers = name -> {
            asked.add(name);
            return "From".equals(name) ? List.of("alice@example.org") : null;
        };
        for (ClientContext c : List.of(trusted(), untrusted(), ClientContext.builder(UNTRUSTED).submission(true).tls(true).build(),
                ClientContext.builder(TRUSTED).popLogin("alice@example.org").build())) {
            assertThat(DECIDER.checkHeaders(c, headers).ruleId()).as(c.toString()).isEqualTo("header.not-checked");
        }
        assertThat(asked).as("no login: nothing read").isEmpty();
        for (ClientContext c : List.of(auth("alice@example.org"), pop("alice@example.org"))) {
            asked.clear();
            assertThat(DECIDER.checkHeaders(c, headers).ruleId()).isEqualTo("header.owned");
            assertThat(asked).containsExactly("From", "Sender");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("headerCases")
    void readingLazilyDecidesAsTheLists(String name, List<String> from, List<String> sender, String rule) throws Exception {
        for (ClientContext c : List.of(auth("alice@example.org"), pop("alice@example.org"), trusted())) {
            Decision lazy = DECIDER.checkHeaders(c, n -> "From".equals(n) ? from : "Sender".equals(n) ? sender : null);
            assertThat(lazy.reply()).isEqualTo(DECIDER.checkHeaders(c, from, sender).reply());
            assertThat(lazy.ruleId()).isEqualTo(DECIDER.checkHeaders(c, from, sender).ruleId());
        }
    }

    @Test
    void aFailureToReadTheHeadersReachesTheCallerAndIsNoLookupFailure() {
        java.io.IOException broken = new java.io.IOException("header block unreadable");
        assertThatThrownBy(() -> DECIDER.checkHeaders(auth("alice@example.org"), n -> {
            throw broken;
        })).isSameAs(broken);
    }
}
