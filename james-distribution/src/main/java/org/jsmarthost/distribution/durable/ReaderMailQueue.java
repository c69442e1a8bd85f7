package org.jsmarthost.distribution.durable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.jms.ConnectionFactory;
import javax.jms.JMSException;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.ObjectMessage;
import javax.jms.Queue;
import javax.jms.Session;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.activemq.ActiveMQConnection;
import org.apache.activemq.command.ActiveMQObjectMessage;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.activemq.ActiveMQCacheableMailQueue;
import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;
import org.apache.james.queue.api.MailQueueItemDecoratorFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * James's ActiveMQ mail queue with a different reading side: a fixed set of long-lived readers instead of a
 * consumer opened and closed for every mail.
 *
 * <p>James 3.8.1 ({@code JMSCacheableMailQueue.deQueue}) reads one mail at a time: it opens a transacted
 * session and a consumer whose selector holds the current time ({@code JAMES_NEXT_DELIVERY <= now}), pulls one
 * message (prefetch 0), and closes both when the mail is done. Under load this serial open–pull–close is what
 * bounds the smarthost's rate (the CPUs were 17–30 % idle), and the prefetch-0 pull sometimes never gets its
 * answer from the broker: the ActiveMQ client then waits forever and ready mail stays queued until a restart.
 *
 * <p>Here each reader owns one transacted session and one consumer and reads on its own thread: pull one mail,
 * hand it to James (the spooler or RemoteDelivery), wait until James calls {@code done}, then commit
 * ({@code SUCCESS}: the mail leaves the queue) or roll back ({@code RETRY}/{@code REJECT}: it stays, exactly
 * as with James's queue). So a mail leaves the queue only after it has been processed, and a crash at any
 * point rolls the open transactions back: nothing acknowledged to a client is lost (DurabilityCrashIT).
 * Delayed mail (RemoteDelivery retries): a reader reopens its consumer with a fresh time in the selector
 * once its selector is older than {@link #SELECTOR_REFRESH_MILLIS}, so a retry is read at most that late.
 * A watchdog reopens a consumer whose pull has not been answered {@link #STUCK_MILLIS} after its timeout
 * and logs it at WARN.
 *
 * <p>Writing, browsing, flushing and clearing are James's code, except that a large mail's bytes go to a
 * {@link QueueBodyStore} file named by the queue message instead of into the message itself, and that a small
 * mail's bytes are read through {@link QueuedBytesSource} (James's source without its per-byte locking).
 *
 * <p>A small mail is also written with fewer copies ({@link #produceMail}). James writes it into a
 * {@code ByteArrayOutputStream}, copies that with {@code toByteArray()} and hands the array to
 * {@code ObjectMessage.setObject}, which serialises it with an {@code ObjectOutputStream} into ActiveMQ's own
 * growing buffer: in a profile at 50 KB messages that growth was 8.8 % of all allocated bytes, the
 * {@code toByteArray} 3.6 %, the {@code ObjectOutputStream} about 1.5 % of the CPU. Here the mail is written once,
 * directly after the serialization prefix, into the array that becomes the message content
 * ({@link QueuedBytesSource#serialize}): the same bytes ActiveMQ would store, so {@code getObject()} (James's code,
 * webadmin browsing, an older smarthost reading the store) returns the mail as before, and the reading side
 * serves the mail from that content in place. A connection with compression ({@code useCompression}) keeps
 * James's way, which compresses the content.
 */
public class ReaderMailQueue extends ActiveMQCacheableMailQueue {
    private static final Logger LOGGER = LoggerFactory.getLogger(ReaderMailQueue.class);
    static final long POLL_MILLIS = 1000;
    static final long SELECTOR_REFRESH_MILLIS = 1000;
    static final long STUCK_MILLIS = 10_000;

    /** How a reader opens its consumer; tests replace it to simulate a pull that is never answered. */
    interface ConsumerOpener {
        MessageConsumer open(Session session, Queue queue, String selector) throws JMSException;
    }

    /** JMS property naming the body file of a large mail ({@link QueueBodyStore}). */
    static final String BODY_FILE = "SMARTHOST_BODY_FILE";

    private final QueueBodyStore bodies;
    private final int readerCount;
    private final ConsumerOpener opener;
    private final long stuckMillis;
    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService watchdog;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicInteger released = new AtomicInteger();
    private volatile boolean disposed;

    public ReaderMailQueue(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decoratorFactory,
                           MailQueueName name, MetricFactory metricFactory, GaugeRegistry gaugeRegistry,
                           QueueBodyStore bodies, int readerCount) {
        this(connectionFactory, decoratorFactory, name, metricFactory, gaugeRegistry, bodies, readerCount,
            (session, queue, selector) -> session.createConsumer(queue, selector), STUCK_MILLIS);
    }

    ReaderMailQueue(ConnectionFactory connectionFactory, MailQueueItemDecoratorFactory decoratorFactory,
                    MailQueueName name, MetricFactory metricFactory, GaugeRegistry gaugeRegistry, QueueBodyStore bodies,
                    int readerCount, ConsumerOpener opener, long stuckMillis) {
        super(connectionFactory, decoratorFactory, name, false, metricFactory, gaugeRegistry);
        if (readerCount < 1) {
            throw new IllegalArgumentException("readers=" + readerCount + " is invalid: expected at least 1");
        }
        this.bodies = bodies;
        this.readerCount = readerCount;
        this.opener = opener;
        this.stuckMillis = stuckMillis;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "queue-watchdog-" + name.asString());
            thread.setDaemon(true);
            return thread;
        });
        watchdog.scheduleWithFixedDelay(this::releaseStuckReaders, 1, 1, TimeUnit.SECONDS);
    }

    /** Every subscription starts its own readers; cancelling it stops them once their mails are done. */
    @Override
    public Flux<MailQueueItem> deQueue() {
        return Flux.create(this::startReaders, FluxSink.OverflowStrategy.BUFFER);
    }

    private void startReaders(FluxSink<MailQueueItem> sink) {
        int subscription = generation.incrementAndGet();
        List<Reader> started = new ArrayList<>();
        for (int i = 0; i < readerCount; i++) {
            Reader reader = new Reader(sink, "queue-reader-" + queueName.asString() + "-" + subscription + "-" + i);
            readers.add(reader);
            started.add(reader);
        }
        sink.onDispose(() -> started.forEach(Reader::stop));
        started.forEach(reader -> reader.thread.start());
    }

    /** Number of consumers the watchdog has reopened because their pull was never answered. */
    int releasedReaders() {
        return released.get();
    }

    private void releaseStuckReaders() {
        long now = System.currentTimeMillis();
        for (Reader reader : readers) {
            long since = reader.receivingSince;
            if (since != 0 && now - since > POLL_MILLIS + stuckMillis) {
                LOGGER.warn("Mail queue {}: reader {} has waited {} ms for a {} ms pull; reopening its consumer",
                    queueName.asString(), reader.thread.getName(), now - since, POLL_MILLIS);
                released.incrementAndGet();
                reader.closeConsumer();
            }
        }
    }

    /**
     * A large mail goes to a body file (fsync'ed) and the queue message only names it; see {@link QueueBodyStore}.
     * A small one travels in the message, written in place as its serialized {@code byte[]} ({@link #produceSmallMail}).
     */
    @Override
    protected void produceMail(Map<String, Object> props, int msgPrio, Mail mail)
        throws JMSException, MessagingException, IOException {
        long size = mail.getMessageSize();
        if (!bodies.isLarge(size)) {
            produceSmallMail(props, msgPrio, mail, size);
            return;
        }
        String name = bodies.write(mail.getMessage());
        ObjectMessage message;
        try {
            message = session.createObjectMessage();
            for (Map.Entry<String, Object> entry : props.entrySet()) {
                message.setObjectProperty(entry.getKey(), entry.getValue());
            }
            message.setStringProperty(BODY_FILE, name);
        } catch (JMSException | RuntimeException e) {
            bodies.delete(name);
            throw e;
        }
        // a failed send keeps the file: the broker may have stored the message anyway, and an orphan file
        // wastes disk while a missing one would lose the mail
        producer.send(message, Message.DEFAULT_DELIVERY_MODE, msgPrio, Message.DEFAULT_TIME_TO_LIVE);
    }

    /**
     * James's {@code JMSCacheableMailQueue.produceMail} (an {@code ObjectMessage} with the mail's properties, sent
     * persistent with the mail's priority), except that the content is set directly: the serialized form of the
     * mail's bytes, written without James's intermediate arrays. ActiveMQ 5.17.3 leaves such a message as it is:
     * {@code storeContent} (called by {@code copy}, {@code beforeMarshall} and {@code compress}) does nothing
     * when the content is set, {@code getObject} deserialises the content when no object is set. James's way is
     * kept for a connection that compresses (its compression happens in {@code storeContent}, skipped here) and
     * for a message that is not ActiveMQ's.
     */
    private void produceSmallMail(Map<String, Object> props, int msgPrio, Mail mail, long size)
        throws JMSException, MessagingException, IOException {
        ObjectMessage message = session.createObjectMessage();
        if (!(message instanceof ActiveMQObjectMessage) || compresses((ActiveMQObjectMessage) message)) {
            super.produceMail(props, msgPrio, mail);
            return;
        }
        for (Map.Entry<String, Object> entry : props.entrySet()) {
            message.setObjectProperty(entry.getKey(), entry.getValue());
        }
        ((ActiveMQObjectMessage) message).setContent(QueuedBytesSource.serialize(mail.getMessage(), size));
        producer.send(message, Message.DEFAULT_DELIVERY_MODE, msgPrio, Message.DEFAULT_TIME_TO_LIVE);
    }

    private static boolean compresses(ActiveMQObjectMessage message) {
        ActiveMQConnection connection = message.getConnection();
        return connection == null || connection.isUseCompression();
    }

    @Override
    protected MimeMessage mimeMessage(Message message) throws MessagingException, JMSException {
        String name = message.getStringProperty(BODY_FILE);
        if (name == null) {
            return message instanceof ObjectMessage
                    ? new MimeMessageWrapper(new QueuedBytesSource((ObjectMessage) message))
                    : super.mimeMessage(message);
        }
        try {
            return new MimeMessageWrapper(new QueueBodyStore.FileSource(bodies.file(name)));
        } catch (IOException | IllegalArgumentException e) {
            throw new MailQueueException("Unable to read the body of a mail queued in " + queueName.asString(), e);
        }
    }

    /**
     * The mail of a queue message. James's {@code createMail} hands the message to {@code MailImpl.setMessage},
     * which copies it (a {@code writeTo} into a new buffer, James's synchronized stream over it): two copies per
     * relayed mail (spool, outgoing). A small mail here keeps its queue bytes as its source instead
     * ({@link QueuedBytesSource}, {@code setMessageNoCopy}); a large one (body file) is read as before.
     */
    private Mail readMail(Message message) throws MessagingException, JMSException {
        if (message instanceof ObjectMessage && message.getStringProperty(BODY_FILE) == null) {
            MailImpl mail = populateMail(message).build();
            mail.setMessageNoCopy(new MimeMessageWrapper(new QueuedBytesSource((ObjectMessage) message)));
            return mail;
        }
        return createMail(message);
    }

    /** Removing mails (clear, remove by sender/recipient/name) also deletes their body files. */
    @Override
    public List<Message> removeWithSelector(String selector) throws MailQueueException {
        List<Message> removed = super.removeWithSelector(selector);
        for (Message message : removed) {
            try {
                String name = message.getStringProperty(BODY_FILE);
                if (name != null) {
                    bodies.delete(name);
                }
            } catch (JMSException e) {
                LOGGER.warn("Mail queue {}: cannot read the body file of a removed mail", queueName.asString(), e);
            }
        }
        return removed;
    }

    @Override
    public void dispose() {
        disposed = true;
        watchdog.shutdownNow();
        for (Reader reader : readers) {
            reader.stop();
            reader.closeSession();
        }
        readers.clear();
        super.dispose();
    }

    /** One reader: a thread, a transacted session and its consumer; at most one mail in flight. */
    private final class Reader implements Runnable {
        private final FluxSink<MailQueueItem> sink;
        private final Thread thread;
        private final Object doneSignal = new Object();
        private volatile boolean running = true;
        private volatile long receivingSince;
        private volatile Session session;
        private volatile MessageConsumer consumer;
        private long selectorTime;
        private boolean inFlight;

        Reader(FluxSink<MailQueueItem> sink, String name) {
            this.sink = sink;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (running && !disposed) {
                    readOne();
                }
            } finally {
                awaitDone();
                closeSession();
                readers.remove(this);
            }
        }

        private void readOne() {
            try {
                Message message = receive();
                if (message == null) {
                    return;
                }
                Mail mail;
                try {
                    mail = readMail(message);
                } catch (Exception e) {
                    LOGGER.error("Mail queue {}: cannot read message {}; rolled back (ActiveMQ moves it to ActiveMQ.DLQ "
                        + "after its redeliveries)", queueName.asString(), message.getJMSMessageID(), e);
                    session.rollback();
                    return;
                }
                if (sink.isCancelled()) {
                    session.rollback();
                    return;
                }
                dequeuedMailsMetric.increment();
                synchronized (doneSignal) {
                    inFlight = true;
                }
                String bodyFile = message.getStringProperty(BODY_FILE);
                sink.next(mailQueueItemDecoratorFactory.decorate(new Item(mail, this, bodyFile), queueName));
                awaitDone();
            } catch (JMSException | RuntimeException e) {
                if (running && !disposed) {
                    LOGGER.warn("Mail queue {}: reader {} failed, reopening its session", queueName.asString(),
                        thread.getName(), e);
                    closeSession();
                    pause();
                }
            }
        }

        private Message receive() throws JMSException {
            long now = System.currentTimeMillis();
            if (session == null) {
                session = connection.createSession(true, Session.SESSION_TRANSACTED);
            }
            if (consumer == null || now - selectorTime > SELECTOR_REFRESH_MILLIS) {
                closeConsumer();
                selectorTime = now;
                consumer = opener.open(session, session.createQueue(queueName.asString()), getMessageSelector());
            }
            MessageConsumer current = consumer;
            receivingSince = now;
            try {
                return current.receive(POLL_MILLIS);
            } catch (javax.jms.IllegalStateException closed) {
                // closed by the watchdog or by stop(): reopened on the next round if still running
                return null;
            } finally {
                receivingSince = 0;
            }
        }

        void complete(CompletionStatus status, String bodyFile) throws MailQueueException {
            try {
                if (status == CompletionStatus.SUCCESS) {
                    session.commit();
                    if (bodyFile != null) {
                        bodies.delete(bodyFile);
                    }
                } else {
                    session.rollback();
                }
            } catch (JMSException | RuntimeException e) {
                throw new MailQueueException("Unable to " + (status == CompletionStatus.SUCCESS ? "commit" : "roll back")
                    + " the dequeue of a mail from " + queueName.asString(), e);
            } finally {
                synchronized (doneSignal) {
                    inFlight = false;
                    doneSignal.notifyAll();
                }
            }
        }

        private void awaitDone() {
            synchronized (doneSignal) {
                while (inFlight && !disposed) {
                    try {
                        doneSignal.wait(POLL_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }

        void stop() {
            running = false;
            closeConsumer();
        }

        void closeConsumer() {
            MessageConsumer current = consumer;
            consumer = null;
            if (current != null) {
                closeQuietly(current::close, "consumer");
            }
        }

        void closeSession() {
            closeConsumer();
            Session current = session;
            session = null;
            if (current != null) {
                closeQuietly(current::close, "session");
            }
        }

        /** JMS 1.1 sessions and consumers are not AutoCloseable: their close method, failures logged at DEBUG. */
        private void closeQuietly(JmsClose close, String what) {
            try {
                close.close();
            } catch (JMSException | RuntimeException e) {
                LOGGER.debug("Mail queue {}: closing a {} failed", queueName.asString(), what, e);
            }
        }
    }

    private interface JmsClose {
        void close() throws JMSException;
    }

    /** The dequeued mail; {@code done} commits or rolls back its reader's transaction and frees the reader. */
    private static final class Item implements MailQueueItem {
        private final Mail mail;
        private final Reader reader;
        private final String bodyFile;

        Item(Mail mail, Reader reader, String bodyFile) {
            this.mail = mail;
            this.reader = reader;
            this.bodyFile = bodyFile;
        }

        @Override
        public Mail getMail() {
            return mail;
        }

        @Override
        public void done(CompletionStatus status) throws MailQueueException {
            reader.complete(status, bodyFile);
        }
    }
}
