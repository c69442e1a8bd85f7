package org.jsmarthost.distribution.durable;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQMailQueueFactory;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.ManageableMailQueue;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Scopes;
import com.google.inject.Singleton;

/**
 * Replaces the memory app's in-heap mail queues by James's stock ActiveMQ mail queue
 * ({@code james-server-queue-activemq}) on the embedded {@link DurableBroker}, read by long-lived readers
 * ({@link ReaderMailQueue}). Every queue James creates
 * ({@code spool} for the mailet container, {@code outgoing} for RemoteDelivery retries, any other queue a
 * mailet names) is then a persistent KahaDB queue under {@code var/store/activemq/}.
 *
 * <p>The factory is created here rather than by Guice's constructor injection so that James's shutdown
 * does not tear the queues down while the SMTP servers and the spooler are still finishing their work:
 * the launcher closes them afterwards ({@link DurableResources#close()}).
 */
public final class DurableQueueModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DurableBroker.class).in(Scopes.SINGLETON);
    }

    @Provides
    @Singleton
    ActiveMQMailQueueFactory activeMqMailQueueFactory(DurableBroker broker, MailQueueItemDecoratorFactory decoratorFactory,
                                                     MetricFactory metricFactory, GaugeRegistry gaugeRegistry) {
        ActiveMQMailQueueFactory factory = new ReaderMailQueueFactory(broker.connectionFactory(), decoratorFactory,
            metricFactory, gaugeRegistry, broker.bodyDirectory(), ReaderMailQueueFactory.readersFromSystemProperty());
        factory.setUseJMX(true);
        factory.init();
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends ManageableMailQueue> manageableMailQueueFactory(ActiveMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<?> mailQueueFactory(ActiveMQMailQueueFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    MailQueueFactory<? extends MailQueue> mailQueueFactoryGenerics(ActiveMQMailQueueFactory factory) {
        return factory;
    }
}
