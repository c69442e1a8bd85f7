package org.jsmarthost.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void everyUnitAndTheDefaultUnit() {
        assertThat(Durations.parse("p", "60", null, "60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("p", " 60s ", null, "60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("p", "500 MS", null, "60s")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("p", "2m", null, "60s")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("p", "1h", null, "60s")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("p", null, Duration.ofSeconds(7), "60s")).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void anythingElseIsRefusedNamingParameterValueAndNotation() {
        for (String bad : new String[] {"", " ", "0", "0s", "-1s", "1.5s", "1d", "soon", "12345678s", "s"}) {
            assertThatThrownBy(() -> Durations.parse("retryDelay", bad, Duration.ZERO, "60s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'retryDelay' is '" + bad + "', expected a positive number with unit ms, s (default), m or h, e.g. '60s'");
        }
    }
}
