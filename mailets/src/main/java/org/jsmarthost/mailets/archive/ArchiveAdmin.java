package org.jsmarthost.mailets.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AccessController;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import javax.security.auth.Subject;

import org.jsmarthost.core.archive.ArchiveEntry;
import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Hold;
import org.jsmarthost.core.archive.PurgeReport;
import org.jsmarthost.core.archive.Query;
import org.jsmarthost.core.archive.VerifyReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ArchiveMXBean} over a {@link SharedArchive}. Bad arguments throw {@link IllegalArgumentException}
 * with a message naming the criterion; I/O problems {@link IllegalStateException}. Every change (hold, purge)
 * and every export is logged with the actor: the OS user the CLI reports and the JMX user that connected.
 */
final class ArchiveAdmin implements ArchiveMXBean {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveAdmin.class);

    private final SharedArchive archive;
    private final Clock clock;

    ArchiveAdmin(SharedArchive archive, Clock clock) {
        this.archive = archive;
        this.clock = clock;
    }

    private ArchiveStore store() {
        try {
            return archive.store();
        } catch (IOException e) {
            throw new IllegalStateException("archive " + archive.root + " cannot be opened: " + e.getMessage());
        }
    }

    @Override
    public String getRoot() {
        return archive.root;
    }

    @Override
    public int getEntries() {
        return store().size();
    }

    @Override
    public String getHead() {
        return store().head().toString();
    }

    /** Parses {@code key=value} criteria (see {@link ArchiveMXBean}). */
    static Query query(String[] criteria) {
        Query.Builder q = Query.builder();
        for (String c : criteria == null ? new String[0] : criteria) {
            int eq = c.indexOf('=');
            if (eq <= 0 || eq == c.length() - 1) {
                throw new IllegalArgumentException("criterion '" + c + "' is not key=value");
            }
            String key = c.substring(0, eq);
            String value = c.substring(eq + 1);
            switch (key) {
                case "from":
                    q.sender(value);
                    break;
                case "to":
                    q.recipient(value);
                    break;
                case "since":
                    q.from(instant(key, value, false));
                    break;
                case "until":
                    q.to(instant(key, value, true));
                    break;
                case "message-id":
                    q.messageId(value);
                    break;
                case "subject":
                    q.subjectContains(value);
                    break;
                case "capture":
                    try {
                        q.capturePoint(CapturePoint.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("capture '" + value + "' is not received or sent");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown criterion '" + key
                        + "', expected from, to, since, until, message-id, subject or capture");
            }
        }
        return q.build();
    }

    private static Instant instant(String key, String value, boolean endOfDay) {
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + " '" + value + "' is not a date, expected YYYY-MM-DD or an instant like 2026-11-28T10:00:00Z");
        }
    }

    static String line(ArchiveEntry e) {
        return e.id() + "  " + e.envelope().received() + "  " + e.envelope().capturePoint().token()
            + "  <" + e.envelope().mailFrom() + "> -> " + e.envelope().recipients().stream().map(r -> "<" + r + ">").collect(Collectors.joining(","))
            + "  " + e.envelope().messageId().orElse("-") + "  " + e.envelope().subject().orElse("-")
            + (e.isPurged() ? "  (purged)" : "");
    }

    @Override
    public String[] search(String[] criteria) {
        return store().search(query(criteria)).stream().map(ArchiveAdmin::line).toArray(String[]::new);
    }

    @Override
    public String show(String id) {
        ArchiveStore s = store();
        ArchiveEntry e = s.get(id).orElseThrow(() -> new IllegalArgumentException("no archive entry '" + id + "'"));
        StringBuilder sb = new StringBuilder(e.describe());
        for (ArchiveEntry linked : s.linked(e.envelope().linkId())) {
            if (!linked.id().equals(e.id())) {
                sb.append("Linked:         ").append(linked.id()).append(" (").append(linked.envelope().capturePoint().token()).append(")\n");
            }
        }
        return sb.toString();
    }

    @Override
    public String[] exportEml(String[] criteria, String directory) {
        Path dir = serverPath(directory);
        try {
            List<Path> files = store().exportEml(query(criteria), dir);
            LOG.info("archive: {} exported {} message(s) as .eml into {} ({})", actor(null), files.size(), dir, String.join(" ", criteria));
            return files.stream().map(Path::toString).toArray(String[]::new);
        } catch (IOException e) {
            throw new IllegalStateException("export into " + dir + " failed: " + e.getMessage());
        }
    }

    @Override
    public String exportMbox(String[] criteria, String file) {
        Path target = serverPath(file);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
            int n;
            try (OutputStream out = Files.newOutputStream(tmp)) {
                n = store().exportMbox(query(criteria), out);
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            LOG.info("archive: {} exported {} message(s) as mbox to {} ({})", actor(null), n, target, String.join(" ", criteria));
            return n + " message(s) written to " + target;
        } catch (IOException e) {
            throw new IllegalStateException("export to " + target + " failed: " + e.getMessage());
        }
    }

    private static Path serverPath(String p) {
        if (p == null || p.isBlank()) {
            throw new IllegalArgumentException("export target is empty");
        }
        Path path = Path.of(p);
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("export target '" + p + "' must be an absolute path (it is written by the server)");
        }
        return path.normalize();
    }

    @Override
    public String[] verify() {
        VerifyReport r;
        try {
            r = store().verify();
        } catch (IOException e) {
            throw new IllegalStateException("verify could not read the archive: " + e.getMessage());
        }
        List<String> out = new ArrayList<>();
        out.add(r.ok() ? "ok" : "broken");
        out.add("records:          " + r.records());
        out.add("contents checked: " + r.contentsChecked());
        out.add("chain head:       " + r.head());
        r.firstProblem().ifPresent(p -> out.add("FIRST BROKEN LINK: record " + p.seq() + ": " + p.reason() + ": " + p.detail()));
        for (String w : r.warnings()) {
            out.add("warning: " + w);
        }
        LOG.info("archive: verify by {}: {}", actor(null), r);
        return out.toArray(new String[0]);
    }

    @Override
    public String addHold(String caseId, String reason, String[] criteria, String actor) {
        try {
            Hold h = store().addHold(caseId, reason, query(criteria), actor(actor));
            LOG.info("archive: legal hold {} added by {}: {}", caseId, h.actor(), h);
            return "hold " + h.caseId() + " added (record " + h.seq() + "), covers " + store().search(h.scope()).size() + " entries now";
        } catch (IOException e) {
            throw new IllegalStateException("adding hold " + caseId + " failed: " + e.getMessage());
        }
    }

    @Override
    public String removeHold(String caseId, String reason, String actor) {
        try {
            String who = actor(actor);
            store().removeHold(caseId, reason, who);
            LOG.info("archive: legal hold {} removed by {}: {}", caseId, who, reason);
            return "hold " + caseId + " removed";
        } catch (IOException e) {
            throw new IllegalStateException("removing hold " + caseId + " failed: " + e.getMessage());
        }
    }

    @Override
    public String[] listHolds() {
        return store().holds().stream()
            .map(h -> h.caseId() + "  since " + h.addedAt() + "  by " + h.actor() + "  reason: " + h.reason() + "  scope: " + h.scope())
            .toArray(String[]::new);
    }

    @Override
    public String[] purge(boolean dryRun, String actor) {
        try {
            PurgeReport r = store().purge(dryRun, actor(actor));
            List<String> out = new ArrayList<>();
            out.add((dryRun ? "dry run: would purge " : "purged ") + r.purged().size() + " expired entries; "
                + r.heldBack().size() + " expired but under legal hold (now " + clock.instant() + ", policy " + store().retention() + ")");
            for (ArchiveEntry e : r.purged()) {
                out.add("  " + (dryRun ? "expired " : "purged  ") + line(e));
            }
            for (ArchiveEntry e : r.heldBack()) {
                out.add("  held    " + line(e));
            }
            if (!dryRun) {
                LOG.info("archive: purge by {}: {}", r.actor(), r);
            }
            return out.toArray(new String[0]);
        } catch (IOException e) {
            throw new IllegalStateException("purge failed: " + e.getMessage());
        }
    }

    /** "osuser (jmx jmxuser)": the user the CLI says it runs as, and the authenticated JMX user if any. */
    @SuppressWarnings("removal")
    static String actor(String claimed) {
        String jmx = null;
        try {
            Subject subject = Subject.getSubject(AccessController.getContext());
            if (subject != null) {
                jmx = subject.getPrincipals().stream().map(Principal::getName).findFirst().orElse(null);
            }
        } catch (RuntimeException | Error e) {
            jmx = null;
        }
        if (claimed == null || claimed.isBlank()) {
            return jmx == null ? "unknown" : "jmx " + jmx;
        }
        return jmx == null ? claimed.trim() : claimed.trim() + " (jmx " + jmx + ")";
    }
}
