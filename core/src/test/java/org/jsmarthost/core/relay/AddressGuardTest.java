package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.mail.internet.InternetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressGuardTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "<alice@example.org>|alice@example.org|alice@example.org",
        "alice@example.org|alice@example.org|alice@example.org",
        "<Alice@Example.ORG>|Alice@example.org|alice@example.org",
        "<first.last+tag@sub.example.org>|first.last+tag@sub.example.org|first.last+tag@sub.example.org",
        "<\"alice\"@example.org>|alice@example.org|alice@example.org",
        "<\"john smith\"@example.org>|\"john smith\"@example.org|\"john smith\"@example.org",
        "<o'brien@xn--bcher-kva.example>|o'brien@xn--bcher-kva.example|o'brien@xn--bcher-kva.example",
        "<a-b_c=d@a-1.example.com>|a-b_c=d@a-1.example.com|a-b_c=d@a-1.example.com",
    })
    void normalisesValidAddresses(String raw, String asString, String canonical) {
        AddressCheck c = AddressGuard.checkRecipient(raw);
        assertThat(c.isAddress()).as(c.toString()).isTrue();
        assertThat(c.address().asString()).isEqualTo(asString);
        assertThat(c.address().canonical()).isEqualTo(canonical);
        // independent check: javax.mail's strict RFC 822 parser accepts the normalised address as one mailbox
        assertThatCode(() -> new InternetAddress(c.address().asString(), true).validate()).doesNotThrowAnyException();
    }

    @Test
    void caseVariantsAreTheSameOwnerButKeepTheirCase() {
        EnvelopeAddress a = EnvelopeAddress.of("<ALICE@EXAMPLE.ORG>");
        EnvelopeAddress b = EnvelopeAddress.of("alice@example.org");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.localPart()).isEqualTo("ALICE");
        assertThat(a.domain()).isEqualTo("example.org");
    }

    @Test
    void nullSenderOnlyForMailFrom() {
        assertThat(AddressGuard.checkSender("<>").isNullSender()).isTrue();
        assertThat(AddressGuard.checkSender("").isNullSender()).isTrue();
        AddressCheck rcpt = AddressGuard.checkRecipient("<>");
        assertThat(rcpt.isRefused()).isTrue();
        assertThat(rcpt.ruleId()).isEqualTo(RuleIds.ADDR_EMPTY);
        assertThat(AddressGuard.checkRecipient(null).ruleId()).isEqualTo(RuleIds.ADDR_EMPTY);
    }

    @ParameterizedTest(name = "{0} refused by {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "<user%other.example@example.org>|addr.percent-hack",
        "user%other@example.org|addr.percent-hack",
        "<other.example!user@example.org>|addr.bang-path",
        "<a!b!c@example.org>|addr.bang-path",
        "<@example.org:user@other.example>|addr.source-route",
        "<@a.example,@b.example:user@other.example>|addr.source-route",
        "<example.org:user@other.example>|addr.source-route",
        "<\"user@other.example\"@example.org>|addr.quoted-local",
        "<\"user%other.example\"@example.org>|addr.quoted-local",
        "<\"a!b\"@example.org>|addr.quoted-local",
        "<\"a\\@b\"@example.org>|addr.quoted-local",
        "<\"\"@example.org>|addr.quoted-local",
        "<user@other.example@example.org>|addr.multiple-at",
        "<\"x\"@other.example@example.org>|addr.multiple-at",
        "<user@[192.0.2.1]>|addr.ip-literal",
        "<user@[127.0.0.1]>|addr.ip-literal",
        "<user@[IPv6:::1]>|addr.ip-literal",
        "<user@[IPv6:2001:db8::1]>|addr.ip-literal",
        "<\"x\"@[IPv6:::1]>|addr.ip-literal",
        "<user@192.0.2.1>|addr.ip-literal",
        "<user@example.org.>|addr.domain-trailing-dot",
        "<user@example.org..>|addr.domain-trailing-dot",
        "<user@>|addr.domain-invalid",
        "<user@.example.org>|addr.domain-invalid",
        "<user@exa..mple.org>|addr.domain-invalid",
        "<user@exa_mple.org>|addr.domain-invalid",
        "<user@-example.org>|addr.domain-invalid",
        "<user@localhost>|addr.domain-unqualified",
        "<postmaster>|addr.unqualified",
        "user|addr.unqualified",
        "<\"quoted\">|addr.unqualified",
        "<.user@example.org>|addr.local-invalid",
        "<user.@example.org>|addr.local-invalid",
        "<us..er@example.org>|addr.local-invalid",
        "<us(er)@example.org>|addr.local-invalid",
        "<user@example.org|addr.syntax",
        "<user@example.org> SIZE=10|addr.syntax",
        "<us\"er@example.org>|addr.syntax",
        "<\"unterminated@example.org>|addr.syntax",
        "<\"a\"b@example.org>|addr.syntax",
        "<user name@example.org>|addr.local-invalid",
        "<user@exa mple.org>|addr.domain-invalid",
    })
    void refusesTricks(String raw, String rule) {
        AddressCheck c = AddressGuard.checkSender(raw);
        assertThat(c.isRefused()).as(c.toString()).isTrue();
        assertThat(c.ruleId()).as(c.toString()).isEqualTo(rule);
        assertThat(c.reason()).isNotBlank();
        assertThat(AddressGuard.checkRecipient(raw).ruleId()).isEqualTo(rule);
    }

    @Test
    void refusesControlCharactersAnywhere() {
        for (String raw : new String[] {"<user@example.org\r\nRCPT TO:<x@y.example>>", "<us\u0000er@example.org>",
            "<user@example.org\t>", "<user\u007f@example.org>"}) {
            AddressCheck c = AddressGuard.checkRecipient(raw);
            assertThat(c.ruleId()).as(raw).isEqualTo(RuleIds.ADDR_CONTROL_CHAR);
            assertThat(c.reason()).contains("0x");
        }
    }

    @Test
    void refusesNonAscii() {
        AddressCheck c = AddressGuard.checkRecipient("<j\u00f6rg@example.org>");
        assertThat(c.ruleId()).isEqualTo(RuleIds.ADDR_8BIT);
        assertThat(c.reason()).contains("U+00F6");
        assertThat(AddressGuard.checkRecipient("<user@b\u00fccher.example>").ruleId()).isEqualTo(RuleIds.ADDR_8BIT);
    }

    @Test
    void enforcesRfc5321Lengths() {
        String local64 = "a".repeat(64);
        assertThat(AddressGuard.checkRecipient(local64 + "@example.org").isAddress()).isTrue();
        AddressCheck local65 = AddressGuard.checkRecipient("a".repeat(65) + "@example.org");
        assertThat(local65.ruleId()).isEqualTo(RuleIds.ADDR_TOO_LONG);
        assertThat(local65.reason()).contains("65").contains("64");

        String label63 = "b".repeat(63);
        assertThat(AddressGuard.checkRecipient("u@" + label63 + ".example").isAddress()).isTrue();
        assertThat(AddressGuard.checkRecipient("u@" + label63 + "b.example").ruleId())
                .isEqualTo(RuleIds.ADDR_TOO_LONG);

        // path = <local@domain> at most 256 octets: 254 characters between the brackets
        String domain = String.join(".", label63, label63, label63, "c".repeat(54)) + ".org"; // 250 chars
        assertThat(domain).hasSize(250);
        assertThat(AddressGuard.checkRecipient("<abc@" + domain + ">").isAddress()).isTrue(); // 254 + 2
        AddressCheck tooLong = AddressGuard.checkRecipient("<abcd@" + domain + ">");
        assertThat(tooLong.ruleId()).isEqualTo(RuleIds.ADDR_TOO_LONG);
        assertThat(tooLong.reason()).contains("257").contains("256");
        String domain256 = String.join(".", label63, label63, label63, label63) + ".org";
        assertThat(AddressGuard.domainProblem(domain256)).startsWith(RuleIds.ADDR_TOO_LONG);
    }

    @Test
    void trailingDotIsRefusedNotNormalised() {
        // decision: fail closed - a trailing dot never reaches the ownership comparison in any form
        assertThat(AddressGuard.checkSender("<alice@example.org.>").ruleId())
                .isEqualTo(RuleIds.ADDR_DOMAIN_TRAILING_DOT);
    }

    @Test
    void envelopeAddressOfRefusesWithRuleId() {
        assertThatThrownBy(() -> EnvelopeAddress.of("user%x@example.org"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("addr.percent-hack");
        assertThatThrownBy(() -> EnvelopeAddress.of("<>"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("addr.empty");
    }
}
