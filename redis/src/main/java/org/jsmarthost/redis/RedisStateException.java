package org.jsmarthost.redis;

/**
 * A Redis command of the state backend failed: Redis unreachable, timed out, refused the credentials, or
 * answered something unexpected. Unchecked on purpose: the relay adapters treat any failure of the state
 * backend as "cannot decide" and answer {@code 451 4.3.0} (fail closed, the client retries later). The message
 * names the backend (without credentials), the operation and the cause.
 */
public final class RedisStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public RedisStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
