package org.jsmarthost.core.rewrite;

/**
 * Direction of a message relative to the organisation: {@link #OUTBOUND} leaves it for the internet,
 * {@link #INBOUND} arrives for it. The adapter decides which applies to a mail.
 */
public enum RewriteDirection {
    OUTBOUND,
    INBOUND
}
