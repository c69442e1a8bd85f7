package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class RedisSettingsTest {
    static RedisSettings parse(String uri) {
        return RedisSettings.parse(URI.create(uri));
    }

    @Test
    void defaults() {
        RedisSettings s = parse("redis://127.0.0.1:6379");
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(6379);
        assertThat(s.database()).isZero();
        assertThat(s.user()).isNull();
        assertThat(s.password()).isNull();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.pool()).isEqualTo(16);
        assertThat(s.describe()).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(parse("redis://127.0.0.1:6379/").database()).isZero();
    }

    @Test
    void everything() {
        RedisSettings s = parse("redis://smarthost:p%40ss:w@redis.example:6380/3?timeout=250ms&pool=4");
        assertThat(s.host()).isEqualTo("redis.example");
        assertThat(s.port()).isEqualTo(6380);
        assertThat(s.database()).isEqualTo(3);
        assertThat(s.user()).isEqualTo("smarthost");
        assertThat(s.password()).isEqualTo("p@ss:w");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.pool()).isEqualTo(4);
        assertThat(s.describe()).isEqualTo("redis://redis.example:6380/3");
        assertThat(parse("redis://:only@h:1").user()).isNull();
        assertThat(parse("redis://:only@h:1").password()).isEqualTo("only");
        assertThat(parse("redis://bare@h:1").password()).isEqualTo("bare");
        assertThat(parse("redis://[::1]:6379/1").host()).isEqualTo("::1");
        assertThat(parse("redis://[::1]:6379/1").describe()).isEqualTo("redis://[::1]:6379/1");
        assertThat(parse("redis://h:1?timeout=2000").timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void errorsNameTheValueAndWhatWasExpectedNeverThePassword() {
        assertThatThrownBy(() -> parse("redis://:pw@h:1/x"))
                .hasMessage("state backend redis://h:1/x: database 'x' is not a number: expected a database number /0, /1, ...");
        assertThatThrownBy(() -> parse("redis://h:1/-1"))
                .hasMessage("state backend redis://h:1/-1: database '-1' is out of range: expected a database number /0, /1, ...");
        assertThatThrownBy(() -> parse("redis://h:1?timeout=5"))
                .hasMessage("state backend redis://h:1?timeout=5: timeout '5' is out of range: expected milliseconds 10..60000");
        assertThatThrownBy(() -> parse("redis://h:1?timeout=fast"))
                .hasMessageContaining("timeout 'fast' is not a number");
        assertThatThrownBy(() -> parse("redis://h:1?pool=0"))
                .hasMessageContaining("pool '0' is out of range: expected connections 1..1024");
        assertThatThrownBy(() -> parse("redis://h:1?ssl=true"))
                .hasMessage("state backend redis://h:1?ssl=true: parameter 'ssl' is unknown: expected timeout=MILLISECONDS or pool=N");
        assertThatThrownBy(() -> parse("redis://secret:pw@h"))
                .hasMessage("state backend redis://h: port -1 is not valid: expected redis://HOST:PORT[/DB] with PORT 1..65535");
        assertThatThrownBy(() -> parse("redis://user:@h:1"))
                .hasMessage("state backend redis://h:1: has an empty password: expected redis://[USER]:PASSWORD@HOST:PORT");
        assertThatThrownBy(() -> parse("http://h:1")).hasMessageContaining("scheme 'http' is not supported");
    }

    @Test
    void constructorRefusesBadUrisBeforeConnecting() {
        assertThatThrownBy(() -> new RedisRelayStateBackend(URI.create("redis://127.0.0.1:6379/db2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("database 'db2'");
    }
}
