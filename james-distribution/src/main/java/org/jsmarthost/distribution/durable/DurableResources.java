package org.jsmarthost.distribution.durable;

import java.sql.DriverManager;
import java.sql.SQLException;

import javax.inject.Inject;
import javax.persistence.EntityManagerFactory;

import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.utils.GuiceProbe;
import org.jsmarthost.distribution.durable.DurableDataModule.DatabaseSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable stores, closed by the launcher <em>after</em> James has stopped (SMTP servers, spooler,
 * RemoteDelivery): first the mail queues (uncommitted dequeues roll back, so a mail being processed stays
 * queued), then the broker (KahaDB checkpoint), then the database (Derby shut down cleanly).
 */
public final class DurableResources implements GuiceProbe {
    private static final Logger LOGGER = LoggerFactory.getLogger(DurableResources.class);

    private final ActiveMQMailQueueFactory queues;
    private final DurableBroker broker;
    private final EntityManagerFactory entityManagerFactory;
    private final DatabaseSettings database;

    @Inject
    DurableResources(ActiveMQMailQueueFactory queues, DurableBroker broker, EntityManagerFactory entityManagerFactory,
                     DatabaseSettings database) {
        this.queues = queues;
        this.broker = broker;
        this.entityManagerFactory = entityManagerFactory;
        this.database = database;
    }

    public void close() {
        try {
            queues.destroy();
        } catch (RuntimeException e) {
            LOGGER.warn("Error while closing the mail queues", e);
        }
        broker.stop();
        try {
            entityManagerFactory.close();
        } catch (RuntimeException e) {
            LOGGER.warn("Error while closing the database", e);
        }
        if (database.isEmbeddedDerby()) {
            try {
                DriverManager.getConnection("jdbc:derby:;shutdown=true").close();
            } catch (SQLException e) {
                // XJ015: Derby reports a successful system shutdown as an exception
                if (!"XJ015".equals(e.getSQLState())) {
                    LOGGER.warn("Error while shutting Derby down", e);
                }
            }
        }
        LOGGER.info("Durable stores closed");
    }
}
