package org.jsmarthost.distribution.durable;

import java.io.File;

import javax.jms.ConnectionFactory;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.activemq.metric.ActiveMQMetricCollectorNoop;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James's ActiveMQ mail queue factory, creating {@link ReaderMailQueue}s: James's queue with long-lived readers.
 * Small mails travel inside the KahaDB journal record, large ones in fsync'ed body files ({@link QueueBodyStore});
 * ActiveMQ's blob messages are not used (their side files are not fsync'ed).
 *
 * <p>{@code readers} (from {@code SMARTHOST_QUEUE_READERS}, default {@value #DEFAULT_READERS}) is the number of
 * mails each queue hands out at once; it should be at least the spooler's {@code threads} and RemoteDelivery's
 * {@code deliveryThreads} in {@code mailetcontainer.xml}, or these threads wait for readers.
 */
public final class ReaderMailQueueFactory extends ActiveMQMailQueueFactory {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReaderMailQueueFactory.class);
    public static final String READERS_PROPERTY = "smarthost.queue.readers";
    public static final int DEFAULT_READERS = 20;
    static final int MAX_READERS = 256;

    private final QueueBodyStore bodies;
    private final int readers;

    public ReaderMailQueueFactory(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decoratorFactory,
                                  MetricFactory metricFactory, GaugeRegistry gaugeRegistry, File bodyDirectory, int readers) {
        super(connectionFactory, decoratorFactory, metricFactory, gaugeRegistry, new ActiveMQMetricCollectorNoop());
        this.readers = checkReaders(String.valueOf(readers), "readers");
        this.bodies = new QueueBodyStore(bodyDirectory, QueueBodyStore.DEFAULT_THRESHOLD);
        setUseBlobMessages(false);
        int incomplete = bodies.removeIncomplete();
        LOGGER.info("Mail queues: {} readers per queue; large mail bodies in {} ({} files, {} incomplete removed)",
            readers, bodyDirectory, bodies.count(), incomplete);
    }

    /**
     * Parses the reader count.
     *
     * @throws IllegalArgumentException naming {@code what}, the value and the accepted range
     */
    public static int checkReaders(String value, String what) {
        try {
            int count = Integer.parseInt(value.trim());
            if (count >= 1 && count <= MAX_READERS) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(what + "='" + value + "' is invalid: expected a number of queue readers 1-"
            + MAX_READERS);
    }

    /** The reader count from the system property the launcher exports, or the default. */
    static int readersFromSystemProperty() {
        String value = System.getProperty(READERS_PROPERTY);
        return value == null ? DEFAULT_READERS : checkReaders(value, READERS_PROPERTY);
    }

    @Override
    protected ManageableMailQueue createCacheableMailQueue(MailQueueName name) {
        return new ReaderMailQueue(connectionFactory, mailQueueItemDecoratorFactory, name, metricFactory, gaugeRegistry,
            bodies, readers);
    }
}
