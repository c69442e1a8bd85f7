package org.jsmarthost.core.rewrite;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Outcome of {@link HeaderAddressRewriter#rewrite}: the new raw value and what changed, or why nothing did. */
public final class HeaderRewriteResult {

    /** One address replaced in the header. */
    public static final class Change {
        private final String from;
        private final String to;

        Change(String from, String to) {
            this.from = from;
            this.to = to;
        }

        public String from() {
            return from;
        }

        public String to() {
            return to;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Change && ((Change) o).from.equals(from) && ((Change) o).to.equals(to);
        }

        @Override
        public int hashCode() {
            return Objects.hash(from, to);
        }

        @Override
        public String toString() {
            return from + " -> " + to;
        }
    }

    private final String value;
    private final List<Change> changes;
    private final String problem;

    HeaderRewriteResult(String value, List<Change> changes, String problem) {
        this.value = value;
        this.changes = List.copyOf(changes);
        this.problem = problem;
    }

    /** The header value to use: the rewritten raw text, or the original when nothing changed. */
    public String value() {
        return value;
    }

    public boolean changed() {
        return !changes.isEmpty();
    }

    /** The replaced addresses, in header order. */
    public List<Change> changes() {
        return changes;
    }

    /** Why the header was left untouched although it may contain addresses (it could not be parsed). */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public String toString() {
        return problem != null ? "unparseable (" + problem + ")" : changes.toString();
    }
}
