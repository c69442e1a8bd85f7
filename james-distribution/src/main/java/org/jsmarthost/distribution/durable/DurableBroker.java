package org.jsmarthost.distribution.durable;

import java.io.File;
import java.io.FileNotFoundException;

import javax.inject.Inject;
import javax.jms.ConnectionFactory;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.ActiveMQPrefetchPolicy;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.plugin.StatisticsBrokerPlugin;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.apache.james.filesystem.api.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ActiveMQ 5 broker that holds the smarthost's mail queues ({@code spool}, {@code outgoing})
 * on disk, in a KahaDB journal under {@code var/store/activemq/} of the server home.
 *
 * <p>What makes a 250 safe: James's queue ({@code ActiveMQCacheableMailQueue}) sends every mail as a
 * <em>persistent</em> JMS message on a non-transacted session, so the ActiveMQ client sends it
 * synchronously and waits for the broker's receipt (also forced here: {@code alwaysSyncSend}); the broker
 * ({@code Queue.doMessageSend}, ActiveMQ 5.17.3) waits for the KahaDB store future of a message whose
 * producer expects a response before answering, and with the journal sync strategy {@code always} the
 * journal write is fsync'ed first. (If a consumer has already taken and committed the message, the store is
 * cancelled: then the spooler has already stored it in the next queue.)
 * The SMTP DATA handler ({@code SendMailHandler}) enqueues before it answers, so when the client reads
 * {@code 250} the message is in the journal on disk. The queue is configured without blob messages, so
 * the message bytes travel inside the journal record (one fsync covers envelope and content).
 *
 * <p>Differences from James's {@code EmbeddedActiveMQ}: no TCP transport connector (James opens
 * {@code tcp://localhost:0}, which would let any local user read or inject queued mail): clients use the
 * in-JVM {@code vm://smarthost} transport only; no shutdown hook of its own, the launcher stops the broker
 * after James has stopped everything that uses the queues ({@link #stop()}).
 */
public final class DurableBroker {
    private static final Logger LOGGER = LoggerFactory.getLogger(DurableBroker.class);
    static final String STORE = "file://var/store/activemq";
    private static final String BROKER_NAME = "smarthost";

    private final BrokerService broker;
    private final ActiveMQConnectionFactory connectionFactory;
    private final File directory;

    @Inject
    public DurableBroker(FileSystem fileSystem) throws Exception {
        this(storeDirectory(fileSystem));
    }

    DurableBroker(File directory) throws Exception {
        this.directory = directory;
        KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
        kahaDb.setDirectory(new File(directory, "kahadb"));
        kahaDb.setJournalDiskSyncStrategy("always");
        kahaDb.setCheckForCorruptJournalFiles(true);
        kahaDb.setChecksumJournalFiles(true);

        broker = new BrokerService();
        broker.setBrokerName(BROKER_NAME);
        broker.setDataDirectoryFile(directory);
        broker.setPersistent(true);
        broker.setPersistenceAdapter(kahaDb);
        broker.setUseJmx(false);
        broker.setUseShutdownHook(false);
        broker.setSchedulerSupport(false);
        broker.setPlugins(new BrokerPlugin[] {new StatisticsBrokerPlugin()});
        broker.setEnableStatistics(true);
        // in-memory cursor cache; queued messages themselves are paged from KahaDB (default would be 1 GB)
        broker.getSystemUsage().getMemoryUsage().setPercentOfJvmHeap(20);
        broker.start();
        broker.waitUntilStarted();

        connectionFactory = new ActiveMQConnectionFactory("vm://" + BROKER_NAME + "?create=false");
        connectionFactory.setTrustAllPackages(false);
        connectionFactory.setAlwaysSyncSend(true);
        connectionFactory.setUseAsyncSend(false);
        ActiveMQPrefetchPolicy prefetch = new ActiveMQPrefetchPolicy();
        prefetch.setQueuePrefetch(0);
        prefetch.setTopicPrefetch(0);
        connectionFactory.setPrefetchPolicy(prefetch);
        LOGGER.info("Durable mail queues: embedded ActiveMQ broker with KahaDB in {}", directory);
    }

    private static File storeDirectory(FileSystem fileSystem) throws FileNotFoundException {
        File directory = fileSystem.getFile(STORE);
        if (!directory.isDirectory() && !directory.mkdirs()) {
            throw new IllegalStateException("cannot create the queue store " + directory);
        }
        return directory;
    }

    /** Where the queues keep the bytes of large mails ({@link QueueBodyStore}), next to the KahaDB journal. */
    public File bodyDirectory() {
        return new File(directory, "bodies");
    }

    public ConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    /** Stops the broker (KahaDB checkpoint and close). Called by the launcher after James has stopped. */
    public void stop() {
        try {
            broker.stop();
            broker.waitUntilStopped();
            LOGGER.info("Embedded ActiveMQ broker stopped");
        } catch (Exception e) {
            LOGGER.warn("Error while stopping the embedded ActiveMQ broker", e);
        }
    }
}
