package org.jsmarthost.core.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jsmarthost.core.rewrite.RewriteDirection.OUTBOUND;
import static org.jsmarthost.core.rewrite.RewriteTarget.ENVELOPE_SENDER;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

import org.jsmarthost.core.rewrite.RewriteTableReloader.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewriteTableReloaderTest {
    @TempDir
    Path dir;

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private int edits;

    /** Writes the file and gives it a new, distinct modification time. */
    private void write(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(++edits)));
    }

    private static Optional<String> sender(RewriteTable t, String a) {
        return t.rewrite(a, ENVELOPE_SENDER, OUTBOUND).map(RewriteResult::address);
    }

    @Test
    void reloadsOnChangeAndKeepsLastGoodTableOnBadEdit() throws Exception {
        Path f = dir.resolve("rewrite.table");
        write(f, "@old.example @new.example apply=envelope-sender dir=out\n");
        ManualClock clock = new ManualClock();
        RewriteTableReloader r = RewriteTableReloader.start(f, clock, Duration.ofSeconds(5));
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@new.example");
        assertThat(r.reload()).isEqualTo(Outcome.UNCHANGED);

        write(f, "@old.example @newer.example apply=envelope-sender dir=out\n");
        // within the check interval the file is not looked at
        clock.advance(Duration.ofSeconds(4));
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@new.example");
        clock.advance(Duration.ofSeconds(1));
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@newer.example");
        assertThat(r.lastError()).isEmpty();

        // a bad edit: refused, previous table kept, error names the line
        write(f, "@old.example @newest.example apply=envelope-sender dir=out\nbroken line\n");
        assertThat(r.reload()).isEqualTo(Outcome.FAILED_KEPT_PREVIOUS);
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@newer.example");
        assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("line 2:").contains("'broken"));
        assertThat(r.reload()).isEqualTo(Outcome.FAILED_KEPT_PREVIOUS); // still bad, not re-parsed

        // fixed: reloaded, error cleared
        write(f, "@old.example @fixed.example apply=envelope-sender dir=out\n");
        assertThat(r.reload()).isEqualTo(Outcome.RELOADED);
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@fixed.example");
        assertThat(r.lastError()).isEmpty();

        // touched without content change: not re-parsed
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-06-01T00:00:00Z")));
        assertThat(r.reload()).isEqualTo(Outcome.UNCHANGED);

        // deleted: previous table kept and reported
        Files.delete(f);
        assertThat(r.reload()).isEqualTo(Outcome.FAILED_KEPT_PREVIOUS);
        assertThat(r.lastError()).hasValueSatisfying(e -> assertThat(e).contains("disappeared"));
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@fixed.example");
        write(f, "@old.example @back.example apply=envelope-sender dir=out\n");
        assertThat(r.reload()).isEqualTo(Outcome.RELOADED);
        assertThat(sender(r.current(), "a@old.example")).hasValue("a@back.example");
    }

    @Test
    void missingFileAtStartMeansNoRewritingUntilItAppears() throws Exception {
        Path f = dir.resolve("rewrite.table");
        RewriteTableReloader r = RewriteTableReloader.start(f, Clock.systemUTC(), Duration.ZERO);
        assertThat(r.current().rules()).isEmpty();
        assertThat(r.lastError()).isEmpty();
        assertThat(r.reload()).isEqualTo(Outcome.UNCHANGED);
        write(f, "a@x.example b@x.example apply=envelope-sender dir=out\n");
        assertThat(sender(r.current(), "a@x.example")).hasValue("b@x.example");
    }

    @Test
    void badFileAtStartIsAnError() throws Exception {
        Path f = dir.resolve("rewrite.table");
        write(f, "\n\na@x.example b@x.example apply=nowhere dir=out\n");
        assertThatThrownBy(() -> RewriteTableReloader.start(f, Clock.systemUTC(), Duration.ZERO))
                .isInstanceOf(RewriteTableException.class)
                .hasMessageContaining("line 3: apply target 'nowhere' is unknown");
    }
}
