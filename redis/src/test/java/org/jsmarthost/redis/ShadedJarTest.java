package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import org.jsmarthost.core.relay.RelayStateBackend;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

/**
 * The artifact that goes to extensions-jars/: built and shaded before the tests (see the pom), checked entry by
 * entry, then run against a real Redis from a class loader that has only what James provides (core, Guava,
 * slf4j) and no Jedis, commons-pool2, Gson or org.json.
 */
class ShadedJarTest {
    static final List<String> ORIGINAL_PACKAGES = List.of("redis/clients/", "org/apache/commons/pool2/",
            "com/google/gson/", "org/json/");

    static Path jar() {
        String p = System.getProperty("smarthost.redis.jar");
        assertThat(p).as("system property smarthost.redis.jar (set by the redis/pom.xml surefire configuration)").isNotNull();
        Path jar = Paths.get(p);
        assertThat(jar).as("the shaded jar, built at process-classes").exists();
        return jar;
    }

    @Test
    void onlyPackClassesAndRelocatedOnes() throws IOException {
        List<String> classes = new ArrayList<>();
        List<String> unrelocatedReferences = new ArrayList<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String name = e.getName();
                assertThat(name).as("jar entry").matches("META-INF/.*|org/|org/jsmarthost/|org/jsmarthost/redis/.*");
                for (String original : ORIGINAL_PACKAGES) {
                    assertThat(name).as("jar entry").doesNotStartWith(original);
                }
                assertThat(name).as("jar entry").doesNotStartWith("org/slf4j/").doesNotStartWith("org/jsmarthost/core/")
                        .doesNotEndWith("module-info.class");
                if (name.endsWith(".class")) {
                    classes.add(name);
                    try (InputStream in = jar.getInputStream(e)) {
                        String bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                        for (String original : ORIGINAL_PACKAGES) {
                            // a class name starts a constant-pool string (after its binary length) or follows
                            // 'L' in a descriptor; a URL such as github.com/google/gson/ in a message does not
                            if (Pattern.compile("(?:[^\\x20-\\x7e]|L)" + Pattern.quote(original)).matcher(bytes).find()) {
                                unrelocatedReferences.add(name + " -> " + original);
                            }
                        }
                    }
                }
            }
            assertThat(jar.getManifest().getMainAttributes().getValue("Implementation-Title"))
                    .isEqualTo("james-smarthost :: redis");
        }
        assertThat(unrelocatedReferences).as("class files still referring to an original package").isEmpty();
        assertThat(classes).contains("org/jsmarthost/redis/RedisRelayStateBackend.class",
                "org/jsmarthost/redis/shaded/jedis/JedisPooled.class",
                "org/jsmarthost/redis/shaded/pool2/impl/GenericObjectPool.class",
                "org/jsmarthost/redis/shaded/gson/Gson.class",
                "org/jsmarthost/redis/shaded/json/JSONObject.class");
    }

    @Test
    void theJarAloneRunsAgainstRedisBesideJamesLibraries() throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(jar().toUri().toURL());
        // what James 3.8.1 provides: the pack's core jar (here its classes), Guava, slf4j-api
        for (String provided : List.of("org.jsmarthost.core.relay.RelayStateBackend", "com.google.common.net.InetAddresses",
                "com.google.common.util.concurrent.internal.InternalFutureFailureAccess", "org.slf4j.LoggerFactory")) {
            urls.add(Class.forName(provided).getProtectionDomain().getCodeSource().getLocation());
        }
        try (RedisServer server = RedisServer.start();
             URLClassLoader james = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader())) {
            for (String absent : List.of("redis.clients.jedis.Jedis", "org.apache.commons.pool2.ObjectPool",
                    "com.google.gson.Gson", "org.json.JSONObject")) {
                assertThatThrownBy(() -> Class.forName(absent, false, james)).as(absent)
                        .isInstanceOf(ClassNotFoundException.class);
            }
            Class<?> backends = Class.forName("org.jsmarthost.core.relay.RelayStateBackends", true, james);
            Class<?> backendType = Class.forName("org.jsmarthost.core.relay.RelayStateBackend", true, james);
            assertThat(backendType).isNotSameAs(RelayStateBackend.class);
            Object backend = backends.getMethod("shared", String.class).invoke(null, server.uri(4));
            assertThat(backend.getClass().getName()).isEqualTo("org.jsmarthost.redis.RedisRelayStateBackend");
            assertThat(backend.getClass().getClassLoader()).isSameAs(james);
            assertThat(backend.getClass().getProtectionDomain().getCodeSource().getLocation()).isEqualTo(urls.get(0));
            assertThat(backendType.getMethod("describe").invoke(backend)).isEqualTo(server.uri(4));

            Object counter = backendType.getMethod("quotaCounter", Clock.class).invoke(backend, Clock.systemUTC());
            Class<?> counterType = Class.forName("org.jsmarthost.core.relay.QuotaCounter", true, james);
            Method add = counterType.getMethod("addAndGet", String.class, long.class, Instant.class);
            assertThat(add.invoke(counter, "quota|i|shaded|m|h|0", 5L, Instant.now().plusSeconds(600))).isEqualTo(5L);
            assertThat(add.invoke(counter, "quota|i|shaded|m|h|0", 2L, Instant.now().plusSeconds(600))).isEqualTo(7L);

            Supplier<Duration> window = () -> Duration.ofMinutes(30);
            Object store = backendType.getMethod("popAuthStore", Supplier.class).invoke(backend, window);
            Class<?> storeType = Class.forName("org.jsmarthost.core.relay.PopAuthStore", true, james);
            InetAddress client = InetAddress.getByName("127.0.0.7");
            Instant now = Instant.now();
            storeType.getMethod("record", InetAddress.class, String.class, Instant.class).invoke(store, client, "Alice@example.org", now);
            assertThat(storeType.getMethod("lookup", InetAddress.class, Instant.class).invoke(store, client, now))
                    .isEqualTo(Optional.of("alice@example.org"));

            try (Jedis j = server.raw(4)) {
                assertThat(j.get("smarthost:quota:quota|i|shaded|m|h|0")).isEqualTo("7");
                assertThat(j.hget("smarthost:pop:127.0.0.7", "login")).isEqualTo("alice@example.org");
            }
            // the relocated Jedis is the one in use, and its failures are the pack's exception
            server.stop();
            assertThatThrownBy(() -> {
                try {
                    add.invoke(counter, "k", 1L, Instant.now().plusSeconds(60));
                } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                }
            }).satisfies(t -> {
                assertThat(t.getClass().getName()).isEqualTo("org.jsmarthost.redis.RedisStateException");
                assertThat(t.getCause().getClass().getName()).startsWith("org.jsmarthost.redis.shaded.jedis.exceptions.");
            }).hasMessageContaining("failed during quota addAndGet k");
            ((AutoCloseable) backend).close();
        }
    }
}
