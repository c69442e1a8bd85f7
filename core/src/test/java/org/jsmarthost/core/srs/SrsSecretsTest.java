package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SrsSecretsTest {
    @TempDir
    Path dir;

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_000_000_000L), ZoneOffset.UTC);

    private static String sign(SrsSecrets secrets) {
        return new SrsCodec(SrsConfig.forDomain("fwd.example"), secrets, CLOCK, d -> false)
                .forward("user@orig.example").address();
    }

    @Test
    void createsMissingFileWithOneStrongSecretAndMode0600() throws IOException {
        Path file = dir.resolve("conf/srs.secrets");
        SrsSecrets created = SrsSecrets.loadOrCreate(file);
        assertThat(created.size()).isEqualTo(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        List<String> secretLines = Files.readAllLines(file).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toList());
        assertThat(secretLines).hasSize(1);
        assertThat(secretLines.get(0)).matches("[A-Za-z0-9xy]{43}");
        assertThat(Files.list(file.getParent())).containsExactly(file); // no temp file left behind

        // second start: same secret, file unchanged
        String before = Files.readString(file);
        SrsSecrets again = SrsSecrets.loadOrCreate(file);
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(sign(again)).isEqualTo(sign(created));
        assertThat(sign(created)).isEqualTo(sign(SrsSecrets.of(secretLines.get(0))));

        // a second file gets a different secret
        SrsSecrets other = SrsSecrets.loadOrCreate(dir.resolve("other.secrets"));
        assertThat(sign(other)).isNotEqualTo(sign(created));
    }

    @Test
    void commentsBlankLinesAndWhitespaceAreIgnoredFirstSecretSigns() throws IOException {
        Path file = dir.resolve("srs.secrets");
        Files.write(file, ("# rotated 2026-11-01\n\n  s3cret  \r\n# old one:\nolder\n").getBytes(StandardCharsets.UTF_8));
        SrsSecrets secrets = SrsSecrets.load(file);
        assertThat(secrets.size()).isEqualTo(2);
        assertThat(sign(secrets)).isEqualTo("SRS0=Z3FD=JW=orig.example=user@fwd.example");
        SrsCodec codec = new SrsCodec(SrsConfig.forDomain("fwd.example"), secrets, CLOCK, d -> false);
        String byOlder = sign(SrsSecrets.of("older"));
        assertThat(codec.reverse(byOlder).isValid()).isTrue();
        assertThat(secrets.toString()).doesNotContain("s3cret").doesNotContain("older");
    }

    @Test
    void fileWithoutSecretIsRefusedNeverReplaced() throws IOException {
        Path file = dir.resolve("srs.secrets");
        Files.writeString(file, "# nothing here\n\n");
        assertThatThrownBy(() -> SrsSecrets.loadOrCreate(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("holds no secret");
        assertThat(Files.readString(file)).isEqualTo("# nothing here\n\n");
    }

    @Test
    void directSecretsAreValidated() {
        assertThatThrownBy(SrsSecrets::of).hasMessageContaining("at least one");
        assertThatThrownBy(() -> SrsSecrets.of("a", "")).hasMessageContaining("secret #2 is empty");
    }
}
