package org.jsmarthost.matchers.relay;

/**
 * {@code org.jsmarthost:type=RelayPolicy}: the relay policy as {@code smarthost-cli relay check}, {@code pop-auth
 * list} and {@code quota show|reset} see it. Open types only.
 */
public interface RelayPolicyMXBean {
    /** Absolute path of the policy file in force. */
    String getPolicyFile();

    /** The state backend ({@code memory} or {@code redis://...}). */
    String getStateBackend();

    /** The message of the last refused reload, empty when the last reload (or the start) was good. */
    String getLastReloadError();

    /**
     * Would this relay, and by which rule (like {@code exim -bh}); nothing is sent and no quota is consumed.
     *
     * @param client client IP address
     * @param authLogin SMTP AUTH login, empty for none
     * @param submission as if on the submission port (TLS assumed)
     * @param from envelope sender as the client would send it
     * @param to envelope recipient
     * @param headerFrom header {@code From:} value, empty to skip the header check
     * @return lines {@code mail: <decision>}, {@code rcpt: <decision>}, {@code header: <decision>}, {@code verdict: ...}
     */
    String[] check(String client, String authLogin, boolean submission, String from, String to, String headerFrom);

    /** SMTP-after-POP entries still valid: {@code client login logged-in-at expires-at}. */
    String[] popAuthList();

    /** Quota usage of an identity ({@code alice@example.org}, {@code ip:192.0.2.10}) or, with {@code domain:}, of a sender domain. */
    String[] quotaShow(String subject);

    /** Forgets the counters of an identity (or {@code domain:NAME}); returns how many counters were deleted. */
    int quotaReset(String subject);
}
