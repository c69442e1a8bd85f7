package org.jsmarthost.core.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One raw header field (with its continuation lines and line ends), as ISO-8859-1 text. */
final class HeaderField {
    final String raw;
    final String lowerName;

    private HeaderField(String raw) {
        this.raw = raw;
        int colon = raw.indexOf(':');
        this.lowerName = colon < 0 ? "" : raw.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    }

    /** Unfolded value after the colon. */
    String value() {
        int colon = raw.indexOf(':');
        String v = colon < 0 ? "" : raw.substring(colon + 1);
        return v.replace("\r\n", "").replace("\n", "").replace("\r", "");
    }

    static List<HeaderField> split(String block) {
        List<HeaderField> out = new ArrayList<>();
        int i = 0;
        int n = block.length();
        StringBuilder cur = null;
        while (i < n) {
            int nl = block.indexOf('\n', i);
            int lineEnd = nl < 0 ? n : nl + 1;
            String line = block.substring(i, lineEnd);
            boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
            if (continuation && cur != null) {
                cur.append(line);
            } else {
                if (cur != null) {
                    out.add(new HeaderField(cur.toString()));
                }
                cur = new StringBuilder(line);
            }
            i = lineEnd;
        }
        if (cur != null) {
            out.add(new HeaderField(cur.toString()));
        }
        return out;
    }
}
