package org.jsmarthost.core.rewrite;

import java.util.List;

/**
 * A rewrite table file was refused. {@link #problems()} lists every bad line as
 * {@code "<source> line N: <what is wrong>, expected <what is allowed>"}; nothing of the file is used.
 */
public final class RewriteTableException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    RewriteTableException(String source, List<String> problems) {
        super("rewrite table " + source + " refused: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
