package org.jsmarthost.core.relay;

import java.time.Instant;

/**
 * Shared counters behind {@link SendQuotas}. Deliberately tiny so that a Redis implementation is one command per
 * method: {@link #addAndGet} = {@code INCRBY key delta} + {@code EXPIREAT key expiresAt} (a Lua script or
 * MULTI makes the pair atomic), {@link #get} = {@code GET}, {@link #reset} = {@code SCAN MATCH prefix*} +
 * {@code DEL}. Keys are built by {@link SendQuotas} and already contain the window start, so a key is never
 * reused after it expires.
 */
public interface QuotaCounter {
    /**
     * Atomically adds {@code delta} (may be negative, to roll back) to the counter {@code key}, creating it at 0,
     * and returns the new value. {@code expiresAt} is when the counter may be forgotten.
     */
    long addAndGet(String key, long delta, Instant expiresAt);

    /** The current value of {@code key}; 0 when absent or expired. */
    long get(String key);

    /** Deletes every counter whose key starts with {@code prefix}; returns how many were deleted. */
    int reset(String prefix);
}
