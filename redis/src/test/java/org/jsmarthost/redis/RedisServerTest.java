package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test harness itself: a missing redis-server fails the build (never skips) and names the package. */
class RedisServerTest {
    @Test
    void missingRedisServerFailsNamingTheDebianPackage(@TempDir Path empty) {
        assertThatThrownBy(() -> RedisServer.binary(List.of(empty.toString())))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("redis-server not found")
                .hasMessageContaining("apt-get install -y redis-server");
    }

    @Test
    void serverListensOnLoopbackBelowTheEphemeralRangeAndIsKilledOnClose() throws Exception {
        RedisServer server = RedisServer.start();
        try {
            assertThat(server.port()).isBetween(10000, 32767);
            assertThat(server.cli("CONFIG", "GET", "bind")).contains("127.0.0.1");
            assertThat(server.cli("CONFIG", "GET", "save").trim()).isEqualTo("save");
            assertThat(server.isRunning()).isTrue();
        } finally {
            server.close();
        }
        assertThat(server.isRunning()).isFalse();
    }
}
