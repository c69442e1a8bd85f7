package org.jsmarthost.mailets.rewrite;

import java.beans.ConstructorProperties;
import java.util.List;

/**
 * MXBean {@value RewriteDiagnostics#OBJECT_NAME}: what the address rewriting and SRS of the running server
 * would do, for {@code smarthost-cli rewrite test} and {@code smarthost-cli srs forward|reverse}. Read-only:
 * nothing here changes mail or configuration.
 */
public interface RewriteDiagnosticsMXBean {
    /** The rewrite table file in use, or "" when no RewriteAddresses mailet is loaded. */
    String getTableFile();

    /** Number of rules of the table in use. */
    int getTableRules();

    /** Why the table file on disk is not the table in use (bad edit), or "". */
    String getTableError();

    /** The SRS domain, or "" when no SrsForward mailet is loaded. */
    String getSrsDomain();

    /**
     * What the rules do to a message from {@code from} to {@code to} in a direction ({@code out} or
     * {@code in}): one line per envelope field and address header, with the rule id when a rule applies.
     */
    List<String> testRewrite(String from, String to, String direction);

    /** SRS-forwards a sender (JMX clients see a CompositeData with items outcome, input, address). */
    SrsForwardView srsForward(String address);

    /** Validates an SRS address (items status, input, address: "" unless OK, detail). */
    SrsReverseView srsReverse(String address);

    /** Result of {@link #srsForward(String)}. */
    final class SrsForwardView {
        private final String outcome;
        private final String input;
        private final String address;

        @ConstructorProperties({"outcome", "input", "address"})
        public SrsForwardView(String outcome, String input, String address) {
            this.outcome = outcome;
            this.input = input;
            this.address = address;
        }

        public String getOutcome() {
            return outcome;
        }

        public String getInput() {
            return input;
        }

        public String getAddress() {
            return address;
        }
    }

    /** Result of {@link #srsReverse(String)}. */
    final class SrsReverseView {
        private final String status;
        private final String input;
        private final String address;
        private final String detail;

        @ConstructorProperties({"status", "input", "address", "detail"})
        public SrsReverseView(String status, String input, String address, String detail) {
            this.status = status;
            this.input = input;
            this.address = address;
            this.detail = detail;
        }

        public String getStatus() {
            return status;
        }

        public String getInput() {
            return input;
        }

        public String getAddress() {
            return address;
        }

        public String getDetail() {
            return detail;
        }
    }
}
