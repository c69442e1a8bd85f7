package org.jsmarthost.mailets.rewrite;

import java.util.List;

import javax.management.openmbean.CompositeData;

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

    /** SRS-forwards a sender: items {@code outcome}, {@code input}, {@code address}. */
    CompositeData srsForward(String address);

    /** Validates an SRS address: items {@code status}, {@code input}, {@code address} ("" unless OK), {@code detail}. */
    CompositeData srsReverse(String address);
}
