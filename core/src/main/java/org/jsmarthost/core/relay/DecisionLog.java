package org.jsmarthost.core.relay;

import java.util.Locale;

/**
 * The one-line structured log record of a decision (a pure function; the adapters log it at INFO on the
 * {@code org.jsmarthost.relay} logger). Format, fields always in this order:
 *
 * <pre>
 * relay-decision rule=outbound.auth outcome=allow code=250 status=2.1.5 client=192.0.2.7 tls=yes submission=no
 *   login=alice@example.org identity=auth:alice@example.org sender=&lt;alice@example.org&gt; recipient=&lt;bob@example.net&gt;
 *   text="Recipient ok (authenticated as alice@example.org)"
 * </pre>
 * (one line; wrapped here). {@code login} is the AUTH login, else the POP login, else {@code -};
 * {@code identity} is the decision's identity or {@code -}; {@code sender} and {@code recipient} are the raw
 * texts the client sent (wrapped in {@code <>} when they were not), {@code -} when not applicable. A value
 * containing anything but letters, digits and {@code . _ @ : < > + - / =} is written in double quotes with
 * {@code \"}, {@code \\} and {@code \xNN} (control and non-ASCII characters, so CR/LF can never forge a log
 * line); values longer than 300 characters are cut and end with {@code ...}.
 */
public final class DecisionLog {
    private static final int MAX_VALUE = 300;

    private DecisionLog() {
    }

    /** Formats one decision. {@code sender}/{@code recipient} may be null (not applicable). */
    public static String format(Decision decision, ClientContext client, String sender, String recipient) {
        StringBuilder sb = new StringBuilder("relay-decision");
        field(sb, "rule", decision.ruleId());
        field(sb, "outcome", decision.outcome().name().toLowerCase(Locale.ROOT));
        field(sb, "code", Integer.toString(decision.code()));
        field(sb, "status", decision.enhancedStatus());
        field(sb, "client", TrustedNetworks.addressText(client.clientAddress()));
        field(sb, "tls", client.tls() ? "yes" : "no");
        field(sb, "submission", client.submission() ? "yes" : "no");
        field(sb, "login", client.authLogin().orElse(client.popLogin().orElse("-")));
        field(sb, "identity", decision.identity().map(Identity::toString).orElse("-"));
        field(sb, "sender", path(sender));
        field(sb, "recipient", path(recipient));
        String text = decision.text();
        field(sb, "text", text.substring(0, text.lastIndexOf(" [rule ")));
        return sb.toString();
    }

    private static String path(String raw) {
        if (raw == null) {
            return "-";
        }
        return raw.startsWith("<") && raw.endsWith(">") && raw.length() >= 2 ? raw : "<" + raw + ">";
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(' ').append(name).append('=').append(quote(value));
    }

    static String quote(String value) {
        String v = value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) + "..." : value;
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "._@:<>+-/=".indexOf(c) >= 0;
        }
        if (plain) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                if (c > 0xff) {
                    sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                } else {
                    sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                }
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
