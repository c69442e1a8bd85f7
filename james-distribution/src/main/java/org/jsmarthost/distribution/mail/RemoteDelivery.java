package org.jsmarthost.distribution.mail;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.transport.mailets.remote.delivery.DeliveryRunnable;
import org.apache.james.transport.mailets.remote.delivery.ExecutionResult;
import org.apache.james.transport.mailets.remote.delivery.MailDelivrer;
import org.apache.james.transport.mailets.remote.delivery.MailDelivrerToHost;
import org.apache.james.transport.mailets.remote.delivery.RemoteDeliveryConfiguration;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * James's {@code RemoteDelivery} with two additions: it keeps the javax.mail sessions it has made, and it can try
 * each mail once at once (immediate delivery) before the outgoing queue. Every James parameter, the queue, the
 * retries and the bounces are James's; configure it like {@code RemoteDelivery}, plus three parameters:
 *
 * <table>
 *   <caption>parameters added to James's</caption>
 *   <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code immediateDelivery}</td><td>{@code false}</td><td>{@code true}: when a {@code gateway} is set (and
 *       no {@code onSuccess}), the thread that processes the mail (the spooler) tries to deliver it once, at once; a
 *       mail it delivers to every recipient is done. Anything else (a temporary or permanent failure, a partial
 *       delivery, an error) puts the mail into the outgoing queue as James does, with the recipients not yet
 *       delivered, where James's delivery threads try it again at once and then on the {@code delayTime} schedule
 *       ({@code maxRetries} counts from there), and bounce it on a permanent failure. Without a gateway (MX
 *       delivery: one attempt per recipient domain) every mail goes through the queue.</td></tr>
 *   <tr><td>{@code immediateDeliveryThreads}</td><td>{@code deliveryThreads}</td><td>immediate attempts running at
 *       once, 1–1000; a mail that finds them all busy is queued at once</td></tr>
 *   <tr><td>{@code immediateDeliveryPause}</td><td>{@code 30s}</td><td>after an immediate attempt failed
 *       temporarily (gateway down, slow, 4xx), every mail is queued at once for this long (ms, s, m, h), so a dead
 *       gateway holds at most {@code immediateDeliveryThreads} spooler threads for one connection timeout</td></tr>
 * </table>
 *
 * <pre>{@code
 * <mailet match="All" class="org.jsmarthost.distribution.mail.RemoteDelivery">
 *     <outgoing>outgoing</outgoing>
 *     <gateway>${sys:smarthost.relayhost}</gateway>
 *     <deliveryThreads>10</deliveryThreads>
 *     <immediateDelivery>true</immediateDelivery>
 *     <immediateDeliveryThreads>10</immediateDeliveryThreads>
 *     <immediateDeliveryPause>30s</immediateDeliveryPause>
 *     <mail.smtp.class>org.jsmarthost.distribution.mail.SMTPTransport</mail.smtp.class>
 *     <mail.smtps.class>org.jsmarthost.distribution.mail.SMTPSSLTransport</mail.smtps.class>
 * </mailet>
 * }</pre>
 *
 * <p><b>Immediate delivery</b> (what Exim does by default): a relayed mail otherwise passes two durable queues, the
 * spool and {@code outgoing}, each a JMS message written, fsynced, read back and parsed; most mail to a working
 * gateway is accepted at the first attempt, so the second queue is work for nothing (docs/BENCHMARKS.md finding
 * 38). Durability is unchanged: during the attempt the mail is still unacknowledged in the spool (a crash before the
 * attempt ended redelivers it from there, as a crash after James's enqueue would from {@code outgoing}); a mail the
 * gateway accepted is done only then. Metrics: {@code smarthost_immediate_delivered}, {@code smarthost_immediate_queued}
 * (failed or partial attempts), James's {@code outgoingMails} counts both paths.
 *
 * <p><b>Sessions</b>: James 3.8.1 ({@code MailDelivrerToHost}) borrows a {@code javax.mail.Session} for every
 * delivery from a commons-pool {@code GenericObjectPool} that it creates with the default configuration: at most 8
 * idle sessions. With more than 8 deliveries at once (10 delivery threads in the shipped conf), every session
 * returned beyond the 8th is destroyed and the next delivery makes a new one, and a new javax.mail session looks
 * through every jar of the server (300+) for its resource files ({@code META-INF/javamail.providers},
 * {@code .address.map}) and, for the transport, with {@code ServiceLoader}: 3.4 % of the server's Java samples in
 * the full chain at 50 KB (bench/jfr-top.sh, finding 37). After {@code init()} this class lifts the idle limit of
 * James's session pools: a pool then keeps as many sessions as deliveries ever ran at once (bounded by the delivery
 * and immediate threads); a session holds only its properties (the transport is closed after each delivery).
 *
 * <p>James keeps its pools, its {@code MailDelivrer} and its configuration in private fields; they are reached by
 * reflection (RemoteDelivery → DeliveryRunnable → MailDelivrer → MailDelivrerToHost, fields found by type). If that
 * path is not there (another James), the mailet logs a warning and works as James's own.
 */
public class RemoteDelivery extends org.apache.james.transport.mailets.RemoteDelivery {
    private static final Logger LOGGER = LoggerFactory.getLogger(RemoteDelivery.class);

    private final MetricFactory metricFactory;
    private volatile Immediate immediate;

    @Inject
    public RemoteDelivery(DNSService dnsServer, DomainList domainList, MailQueueFactory<?> queueFactory,
            MetricFactory metricFactory) {
        super(dnsServer, domainList, queueFactory, metricFactory);
        this.metricFactory = metricFactory;
    }

    /** For tests: James's constructor that can leave the delivery threads unstarted. */
    RemoteDelivery(DNSService dnsServer, DomainList domainList, MailQueueFactory<?> queueFactory,
            MetricFactory metricFactory, ThreadState threads) {
        super(dnsServer, domainList, queueFactory, metricFactory, threads);
        this.metricFactory = metricFactory;
    }

    @Override
    public void init() throws MessagingException {
        ImmediateDeliveryConfig config;
        try {
            config = ImmediateDeliveryConfig.parse(this::getInitParameter);
        } catch (IllegalArgumentException e) {
            throw new MessagingException(getMailetName() + ": " + e.getMessage());
        }
        super.init();
        keepSessions();
        immediate = config.enabled ? immediate(config) : null;
        LOGGER.info("{}: {}", getMailetName(), immediate != null ? config : "immediate delivery off");
    }

    private void keepSessions() {
        try {
            List<GenericObjectPool<?>> pools = sessionPools(this);
            if (pools.isEmpty()) {
                LOGGER.warn("{}: James's javax.mail session pool not found; sessions beyond 8 idle are made anew "
                        + "for each delivery, as in James", getMailetName());
            }
            for (GenericObjectPool<?> pool : pools) {
                pool.setMaxIdle(-1);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("{}: cannot reach James's javax.mail session pool ({}); sessions beyond 8 idle are made anew "
                    + "for each delivery, as in James", getMailetName(), e.toString());
        }
    }

    /** The immediate path, or null (logged) when this mailet's configuration or James's classes do not allow it. */
    private Immediate immediate(ImmediateDeliveryConfig config) {
        try {
            Object configuration = fieldOfType(org.apache.james.transport.mailets.RemoteDelivery.class, this,
                    RemoteDeliveryConfiguration.class);
            Object runnable = fieldOfType(org.apache.james.transport.mailets.RemoteDelivery.class, this, DeliveryRunnable.class);
            Object delivrer = fieldOfType(runnable, MailDelivrer.class);
            Object outgoingMails = fieldOfType(runnable, Metric.class);
            if (!(configuration instanceof RemoteDeliveryConfiguration) || !(delivrer instanceof MailDelivrer)) {
                LOGGER.warn("{}: James's MailDelivrer not found; immediate delivery off, every mail is queued", getMailetName());
                return null;
            }
            RemoteDeliveryConfiguration c = (RemoteDeliveryConfiguration) configuration;
            if (c.getGatewayServer().isEmpty()) {
                LOGGER.info("{}: no gateway (delivery to each domain's MX): immediate delivery off, every mail is queued",
                        getMailetName());
                return null;
            }
            if (c.getOnSuccess().isPresent()) {
                LOGGER.info("{}: onSuccess is set: immediate delivery off, every mail is queued", getMailetName());
                return null;
            }
            return new Immediate(getMailetName(), config, (MailDelivrer) delivrer,
                    outgoingMails instanceof Metric ? (Metric) outgoingMails : null,
                    metricFactory.generate("smarthost_immediate_delivered"),
                    metricFactory.generate("smarthost_immediate_queued"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("{}: cannot reach James's MailDelivrer ({}); immediate delivery off, every mail is queued",
                    getMailetName(), e.toString());
            return null;
        }
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Immediate now = immediate;
        if (now != null && !mail.getRecipients().isEmpty() && now.deliver(mail)) {
            mail.setState(Mail.GHOST);
            return;
        }
        super.service(mail);
    }

    /** Whether immediate delivery is on (after {@code init()}). */
    boolean immediateDelivery() {
        return immediate != null;
    }

    /** One attempt through James's own MailDelivrer, at most {@code threads} at once, paused after a failure. */
    static final class Immediate {
        private final String mailet;
        private final ImmediateDeliveryConfig config;
        private final MailDelivrer delivrer;
        private final Metric outgoingMails;
        private final Metric delivered;
        private final Metric queued;
        private final Semaphore permits;
        private final AtomicLong pausedUntil = new AtomicLong(System.nanoTime());

        Immediate(String mailet, ImmediateDeliveryConfig config, MailDelivrer delivrer, Metric outgoingMails,
                Metric delivered, Metric queued) {
            this.mailet = mailet;
            this.config = config;
            this.delivrer = delivrer;
            this.outgoingMails = outgoingMails;
            this.delivered = delivered;
            this.queued = queued;
            this.permits = new Semaphore(config.threads);
        }

        /** True when the mail was delivered to all its recipients; false: the caller queues it (as it is now). */
        boolean deliver(Mail mail) {
            if (System.nanoTime() - pausedUntil.get() < 0 || !permits.tryAcquire()) {
                return false;
            }
            try {
                ExecutionResult r = delivrer.deliver(mail);
                if (r.getExecutionState() == ExecutionResult.ExecutionState.SUCCESS) {
                    delivered.increment();
                    if (outgoingMails != null) {
                        outgoingMails.increment();
                    }
                    return true;
                }
                queued.increment();
                if (r.getExecutionState() == ExecutionResult.ExecutionState.TEMPORARY_FAILURE) {
                    pause(mail, r.getException().map(Exception::toString).orElse("temporary failure"));
                }
                return false;
            } catch (RuntimeException e) {
                queued.increment();
                pause(mail, e.toString());
                return false;
            } finally {
                permits.release();
            }
        }

        private void pause(Mail mail, String why) {
            long now = System.nanoTime();
            long until = now + config.pause.toNanos();
            long before = pausedUntil.get();
            if (now - before >= 0 && pausedUntil.compareAndSet(before, until)) {
                LOGGER.warn("{}: immediate delivery of {} failed ({}); every mail goes through the outgoing queue for {}",
                        mailet, mail.getName(), why, ImmediateDeliveryConfig.text(config.pause));
            }
        }
    }

    /**
     * James's session pools of this mailet (one, or two when {@code sslEnable} gives smtps its own), each once:
     * RemoteDelivery → DeliveryRunnable → MailDelivrer → MailDelivrerToHost → its GenericObjectPool fields.
     */
    static List<GenericObjectPool<?>> sessionPools(org.apache.james.transport.mailets.RemoteDelivery mailet)
            throws ReflectiveOperationException {
        Object runnable = fieldOfType(org.apache.james.transport.mailets.RemoteDelivery.class, mailet, DeliveryRunnable.class);
        Object delivrer = fieldOfType(runnable, MailDelivrer.class);
        Object toHost = fieldOfType(delivrer, MailDelivrerToHost.class);
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<GenericObjectPool<?>> pools = new ArrayList<>();
        if (toHost == null) {
            return pools;
        }
        for (Field f : toHost.getClass().getDeclaredFields()) {
            if (org.apache.commons.pool2.ObjectPool.class.isAssignableFrom(f.getType())) {
                f.setAccessible(true);
                Object pool = f.get(toHost);
                if (pool instanceof GenericObjectPool && seen.put(pool, Boolean.TRUE) == null) {
                    pools.add((GenericObjectPool<?>) pool);
                }
            }
        }
        return pools;
    }

    private static Object fieldOfType(Object owner, Class<?> type) throws ReflectiveOperationException {
        return owner == null ? null : fieldOfType(owner.getClass(), owner, type);
    }

    /** The value of the first field of {@code declaring} declared with exactly {@code type}, or null. */
    private static Object fieldOfType(Class<?> declaring, Object owner, Class<?> type) throws ReflectiveOperationException {
        for (Field f : declaring.getDeclaredFields()) {
            if (f.getType() == type) {
                f.setAccessible(true);
                return f.get(owner);
            }
        }
        return null;
    }
}
