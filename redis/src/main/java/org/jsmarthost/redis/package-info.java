/**
 * Redis state backend of the relay policy ({@link org.jsmarthost.redis.RedisRelayStateBackend}): SMTP-after-POP
 * logins and send-quota counters shared by several James nodes. Shipped as one self-contained jar for
 * {@code extensions-jars/}; the Redis client is shaded under {@code org.jsmarthost.redis.shaded}.
 */
package org.jsmarthost.redis;
