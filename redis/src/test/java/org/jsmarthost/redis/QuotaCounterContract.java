package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.jsmarthost.core.relay.QuotaCounter;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link QuotaCounter} must have: run against the in-memory counter of core and against the
 * Redis counter, so the two are interchangeable.
 */
abstract class QuotaCounterContract {
    /** Long enough for a few commands on a loaded machine, short enough to wait for. */
    static final Duration SHORT = Duration.ofMillis(1500);
    static final Duration PAST_SHORT = Duration.ofMillis(1700);

    /** A fresh, empty counter (a second call in the same test returns another view of the same counters). */
    protected abstract QuotaCounter counter();

    /** What the counter considers now. */
    protected abstract Instant now();

    /** Lets {@code d} pass for the counter. */
    protected abstract void advance(Duration d) throws InterruptedException;

    Instant inAnHour() {
        return now().plus(Duration.ofHours(1));
    }

    @Test
    void absentCounterReadsZero() {
        assertThat(counter().get("quota|i|nobody|m|h|0")).isZero();
        assertThat(counter().reset("quota|i|nobody|")).isZero();
    }

    @Test
    void addAndGetStartsAtDeltaAndAccumulatesPerKey() {
        QuotaCounter c = counter();
        assertThat(c.addAndGet("a", 1, inAnHour())).isEqualTo(1);
        assertThat(c.addAndGet("a", 2, inAnHour())).isEqualTo(3);
        assertThat(c.addAndGet("b", 5, inAnHour())).isEqualTo(5);
        assertThat(c.get("a")).isEqualTo(3);
        assertThat(c.get("b")).isEqualTo(5);
        assertThat(c.get("c")).isZero();
    }

    @Test
    void negativeDeltaRollsBackAndMayStartBelowZero() {
        QuotaCounter c = counter();
        assertThat(c.addAndGet("a", 5, inAnHour())).isEqualTo(5);
        assertThat(c.addAndGet("a", -1, inAnHour())).isEqualTo(4);
        assertThat(c.addAndGet("a", -4, inAnHour())).isZero();
        assertThat(c.get("a")).isZero();
        assertThat(c.addAndGet("fresh", -2, inAnHour())).isEqualTo(-2);
        assertThat(c.addAndGet("a", 0, inAnHour())).isZero();
    }

    @Test
    void counterExpiresAtItsDeadlineAndThenRestartsFromDelta() throws Exception {
        QuotaCounter c = counter();
        assertThat(c.addAndGet("a", 3, now().plus(SHORT))).isEqualTo(3);
        assertThat(c.addAndGet("kept", 1, inAnHour())).isEqualTo(1);
        advance(PAST_SHORT);
        assertThat(c.get("a")).isZero();
        assertThat(c.get("kept")).isEqualTo(1);
        assertThat(c.addAndGet("a", 2, inAnHour())).isEqualTo(2);
    }

    @Test
    void laterDeadlineExtendsAnEarlierOneNeverShortens() throws Exception {
        QuotaCounter c = counter();
        c.addAndGet("extended", 1, now().plus(SHORT));
        assertThat(c.addAndGet("extended", 1, inAnHour())).isEqualTo(2);
        c.addAndGet("not-shortened", 1, inAnHour());
        assertThat(c.addAndGet("not-shortened", 1, now().plus(SHORT))).isEqualTo(2);
        advance(PAST_SHORT);
        assertThat(c.get("extended")).isEqualTo(2);
        assertThat(c.get("not-shortened")).isEqualTo(2);
    }

    @Test
    void deadlineAlreadyPastStillAnswersTheSumButKeepsNothing() {
        QuotaCounter c = counter();
        assertThat(c.addAndGet("late", 3, now().minusSeconds(1))).isEqualTo(3);
        assertThat(c.get("late")).isZero();
        assertThat(c.addAndGet("late", 2, inAnHour())).isEqualTo(2);
        // a live counter keeps its own deadline when a past one comes in
        assertThat(c.addAndGet("late", 1, now().minusSeconds(1))).isEqualTo(3);
        assertThat(c.get("late")).isEqualTo(3);
    }

    @Test
    void resetDeletesTheKeysWithThePrefixAndCountsThem() {
        QuotaCounter c = counter();
        c.addAndGet("quota|i|alice@example.org|m|h|1800", 2, inAnHour());
        c.addAndGet("quota|i|alice@example.org|r|d|0", 7, inAnHour());
        c.addAndGet("quota|i|alice@example.org.evil|m|h|1800", 1, inAnHour());
        c.addAndGet("quota|i|bob@example.org|m|h|1800", 1, inAnHour());
        c.addAndGet("quota|d|example.org|m|h|1800", 4, inAnHour());

        assertThat(c.reset("quota|i|alice@example.org|")).isEqualTo(2);
        assertThat(c.get("quota|i|alice@example.org|m|h|1800")).isZero();
        assertThat(c.get("quota|i|alice@example.org|r|d|0")).isZero();
        assertThat(c.get("quota|i|alice@example.org.evil|m|h|1800")).isEqualTo(1);
        assertThat(c.get("quota|i|bob@example.org|m|h|1800")).isEqualTo(1);
        assertThat(c.get("quota|d|example.org|m|h|1800")).isEqualTo(4);
        assertThat(c.reset("quota|i|alice@example.org|")).isZero();
        assertThat(c.reset("quota|i|")).isEqualTo(2);
        assertThat(c.reset("")).isEqualTo(1);
        assertThat(c.get("quota|d|example.org|m|h|1800")).isZero();
    }

    @Test
    void resetTakesGlobCharactersLiterally() {
        QuotaCounter c = counter();
        for (String k : List.of("a*b|1", "axb|1", "a?c|1", "abc|1", "a[b]|1", "ab]|1", "a\\b|1", "a^b|1", "a-b|1")) {
            c.addAndGet(k, 1, inAnHour());
        }
        assertThat(c.reset("a*")).isEqualTo(1);
        assertThat(c.get("axb|1")).isEqualTo(1);
        assertThat(c.reset("a?")).isEqualTo(1);
        assertThat(c.get("abc|1")).isEqualTo(1);
        assertThat(c.reset("a[b]")).isEqualTo(1);
        assertThat(c.get("ab]|1")).isEqualTo(1);
        assertThat(c.reset("a\\")).isEqualTo(1);
        assertThat(c.reset("a^")).isEqualTo(1);
        assertThat(c.reset("a-")).isEqualTo(1);
        assertThat(c.reset("a")).isEqualTo(3);
    }

    @Test
    void resetPagesThroughManyKeys() {
        QuotaCounter c = counter();
        for (int i = 0; i < 1200; i++) {
            c.addAndGet("bulk|" + i, 1, inAnHour());
        }
        c.addAndGet("other|1", 1, inAnHour());
        assertThat(c.reset("bulk|")).isEqualTo(1200);
        assertThat(c.get("bulk|7")).isZero();
        assertThat(c.get("other|1")).isEqualTo(1);
    }

    @Test
    void concurrentIncrementsToALimitNeverOvershoot() throws Exception {
        concurrentIncrementsToALimit(List.of(counter()), 8, 300);
    }

    /**
     * {@code threads} threads spread over {@code counters} (views of the same counters, e.g. two nodes) each take
     * one unit at a time until the limit, rolling back a unit that went over, as {@code SendQuotas} does. With
     * atomic increments every value 1..limit is handed out exactly once and the end value is the limit.
     */
    static void concurrentIncrementsToALimit(List<QuotaCounter> counters, int threads, int limit) throws Exception {
        String key = "quota|i|race@example.org|m|h|0";
        Instant deadline = Instant.now().plus(Duration.ofHours(1));
        Set<Long> granted = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                QuotaCounter c = counters.get(t % counters.size());
                results.add(pool.submit(() -> {
                    go.await();
                    int mine = 0;
                    while (true) {
                        long v = c.addAndGet(key, 1, deadline);
                        if (v > limit) {
                            c.addAndGet(key, -1, deadline);
                            refused.incrementAndGet();
                            return mine;
                        }
                        if (!granted.add(v)) {
                            duplicates.incrementAndGet();
                        }
                        mine++;
                    }
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertThat(duplicates.get()).as("values handed out twice").isZero();
            assertThat(total).as("units granted").isEqualTo(limit);
            assertThat(granted).isEqualTo(LongStream.rangeClosed(1, limit).boxed().collect(Collectors.toSet()));
            assertThat(refused.get()).isEqualTo(threads);
            for (QuotaCounter c : counters) {
                assertThat(c.get(key)).isEqualTo(limit);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
