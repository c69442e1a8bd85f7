package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.Period;

import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    @Test
    void parsesDefaultExactAndSubdomainRules() {
        RetentionPolicy p = RetentionPolicy.parse("# comment\n\ndefault = 7y\nexample.com = 6y  # trailing comment\n"
                + ".example.org = 18m\nsub.example.org = 30d\n");
        assertThat(p.defaultPeriod()).isEqualTo(Period.ofYears(7));
        assertThat(p.periodFor("example.com")).isEqualTo(Period.ofYears(6));
        assertThat(p.periodFor("EXAMPLE.COM")).isEqualTo(Period.ofYears(6));
        assertThat(p.periodFor("mail.example.com")).isEqualTo(Period.ofYears(7)); // exact rule only
        assertThat(p.periodFor("example.org")).isEqualTo(Period.ofMonths(18));
        assertThat(p.periodFor("a.b.example.org")).isEqualTo(Period.ofMonths(18));
        assertThat(p.periodFor("sub.example.org")).isEqualTo(Period.ofDays(30)); // exact wins
        assertThat(p.periodFor("notexample.org")).isEqualTo(Period.ofYears(7));
        assertThat(p.periodFor("")).isEqualTo(Period.ofYears(7));
    }

    @Test
    void longestSubdomainRuleWins() {
        RetentionPolicy p = RetentionPolicy.parse(".example.org = 1y\n.eu.example.org = 2y\n");
        assertThat(p.periodFor("x.eu.example.org")).isEqualTo(Period.ofYears(2));
        assertThat(p.periodFor("x.us.example.org")).isEqualTo(Period.ofYears(1));
        assertThat(p.defaultPeriod()).isEqualTo(Period.ofYears(10));
    }

    @Test
    void expiryIsCalendarArithmeticFromTimeReceived() {
        RetentionPolicy p = RetentionPolicy.parse("default = 10y\nshort.example = 1m\n");
        Envelope e = ArchiveTestSupport.envelope("m", "a@short.example", Instant.parse("2024-01-31T12:00:00Z"), "b@x.example").build();
        assertThat(p.expiry(e)).isEqualTo(Instant.parse("2024-02-29T12:00:00Z"));
        Envelope bounce = ArchiveTestSupport.envelope("n", "", Instant.parse("2016-02-29T00:00:00Z"), "b@x.example").build();
        assertThat(p.expiry(bounce)).isEqualTo(Instant.parse("2026-02-28T00:00:00Z"));
    }

    @Test
    void errorsNameTheLineTheValueAndWhatWasExpected() {
        assertThatThrownBy(() -> RetentionPolicy.parse("default = 10y\nexample.com 6y\n"))
                .hasMessage("retention line 2: 'example.com 6y' is not a rule, expected 'domain = period' or 'default = period' (e.g. example.com = 10y)");
        assertThatThrownBy(() -> RetentionPolicy.parse("example.com = 10 years"))
                .hasMessageContaining("retention line 1: '10 years' is not a valid period")
                .hasMessageContaining("expected a positive number followed by y, m or d");
        assertThatThrownBy(() -> RetentionPolicy.parse("example.com = 0y")).hasMessageContaining("'0y' is not a valid period");
        assertThatThrownBy(() -> RetentionPolicy.parse("example.com = -1y")).hasMessageContaining("'-1y' is not a valid period");
        assertThatThrownBy(() -> RetentionPolicy.parse("\n\nexa mple.com = 1y"))
                .hasMessageContaining("retention line 3: 'exa mple.com' is not a valid domain");
        assertThatThrownBy(() -> RetentionPolicy.parse("a.example = 1y\nA.example = 2y"))
                .hasMessageContaining("retention line 2: domain 'a.example' is given twice");
        assertThatThrownBy(() -> RetentionPolicy.parse("default = 1y\ndefault = 2y"))
                .hasMessageContaining("retention line 2: 'default' is given twice");
        assertThatThrownBy(() -> RetentionPolicy.uniform(Period.ZERO)).hasMessageContaining("must be positive");
    }
}
