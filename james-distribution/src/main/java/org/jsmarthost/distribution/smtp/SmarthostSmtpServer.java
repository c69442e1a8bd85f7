package org.jsmarthost.distribution.smtp;

import java.util.Locale;

import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SmtpMetrics;

import io.netty.util.concurrent.EventExecutorGroup;

/**
 * James 3.8.1's SMTP server with its line framer on the connection's own event loop.
 *
 * <p><b>Why.</b> James 3.8.1 builds every SMTP connection's Netty pipeline with the line framer (the decoder that
 * cuts the byte stream into lines and guards STARTTLS against command injection) on the server's
 * {@code DefaultEventExecutorGroup} ({@code maxExecutorCount} threads named after the {@code jmxName}) and the core
 * handler (commands, hooks, the DATA line filters, the spool enqueue) on the connection's event loop (the
 * {@code <jmxName>-io-N} threads). So every line crosses threads: framed on one, queued as a task and handed to the
 * other — a 50 KB message is ~700 such hand-offs, each with a task object, a queue offer, often a wake-up, and a
 * sliced buffer that the pool cannot recycle because it is released on the other thread. Measured with JFR on the
 * full chain at 50 KB (docs/BENCHMARKS.md, eleventh round): the framer threads 7 % of the server's Java samples and a
 * third of the event loops' samples in task plumbing. Later James versions stopped doing this (both handlers on the
 * executor, JAMES-4023).
 *
 * <p><b>What changes.</b> This server adds the framer without an executor group, so Netty runs it on the
 * connection's event loop, where the core handler already runs: a line goes from the framer to the core handler by
 * a method call. Nothing else changes: the same framer class and parameters (James's
 * {@code AllButStartTlsLineChannelHandlerFactory}, 8 192-byte lines, the STARTTLS injection check, which now even sees
 * the STARTTLS command handled before it frames the next byte), the same core handler, the same threads for
 * commands and hooks (the event loops, as in stock James 3.8.1). The executor group is still created by James but no
 * longer used by SMTP, so its threads never start.
 *
 * <p><b>Setting.</b> System property {@value #PROPERTY} (through {@code SMARTHOST_JAVA_OPTS}):
 * <ul>
 *   <li>{@code event-loop} (default): as described above;</li>
 *   <li>{@code executor}: James 3.8.1's own arrangement, unchanged.</li>
 * </ul>
 * Any other value stops start-up with a message naming the property, the value and the expected ones. The setting
 * applies to every {@code <smtpserver>} of {@code smtpserver.xml} (MX, submission, SMTPS).
 */
public class SmarthostSmtpServer extends SMTPServer {
    /** System property choosing where the line framer runs. */
    public static final String PROPERTY = "smarthost.smtp.framer";

    /** Where the line framer of a connection runs. */
    public enum Framer {
        /** On the connection's event loop, with the core handler (default). */
        EVENT_LOOP("event-loop"),
        /** On James's executor group, as James 3.8.1 does. */
        EXECUTOR("executor");

        private final String value;

        Framer(String value) {
            this.value = value;
        }

        /** The property's value naming this choice. */
        public String value() {
            return value;
        }

        /**
         * The choice named by {@code value}; {@code null} means the default.
         *
         * @throws IllegalArgumentException naming the property, the value and the expected values
         */
        public static Framer parse(String value) {
            if (value == null) {
                return EVENT_LOOP;
            }
            String v = value.trim().toLowerCase(Locale.ROOT);
            for (Framer f : values()) {
                if (f.value.equals(v)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("System property " + PROPERTY + ": invalid value '" + value
                + "', expected 'event-loop' (the default: line framing on the connection's event loop) or 'executor' "
                + "(James 3.8.1's own arrangement)");
        }
    }

    private final Framer framer;

    public SmarthostSmtpServer(SmtpMetrics metrics, Framer framer) {
        super(metrics);
        this.framer = framer;
    }

    /** Where this server frames lines. */
    public Framer framer() {
        return framer;
    }

    /**
     * James 3.8.1 asks for the executor group only to place the line framer (in {@code createPipelineFactory}); no
     * group means Netty's default, the connection's event loop.
     */
    @Override
    protected EventExecutorGroup getExecutorGroup() {
        return framer == Framer.EVENT_LOOP ? null : super.getExecutorGroup();
    }
}
