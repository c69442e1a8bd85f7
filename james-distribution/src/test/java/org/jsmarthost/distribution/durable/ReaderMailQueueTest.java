package org.jsmarthost.distribution.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.jms.ConnectionFactory;
import javax.jms.MessageConsumer;
import javax.jms.ObjectMessage;
import javax.jms.QueueBrowser;
import javax.mail.internet.MimeMessage;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQObjectMessage;
import org.apache.activemq.util.ByteSequence;
import org.apache.james.metrics.dropwizard.DropWizardGaugeRegistry;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.queue.api.MailQueue.MailQueueItem;
import org.apache.james.queue.api.MailQueue.MailQueueItem.CompletionStatus;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageWrapper;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.codahale.metrics.MetricRegistry;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** {@link ReaderMailQueue} on a real embedded KahaDB broker (the one the smarthost runs). */
class ReaderMailQueueTest {
    @TempDir
    Path store;

    private DurableBroker broker;
    private long largeFrom = QueueBodyStore.DEFAULT_THRESHOLD;
    private final List<ReaderMailQueue> queues = new ArrayList<>();
    private final List<Disposable> subscriptions = new ArrayList<>();

    @BeforeEach
    void startBroker() throws Exception {
        broker = new DurableBroker(store.toFile());
    }

    @AfterEach
    void stop() {
        subscriptions.forEach(Disposable::dispose);
        queues.forEach(ReaderMailQueue::dispose);
        broker.stop();
    }

    /** Stops readers, queues and broker as the launcher does (mails in flight not done), then starts a new broker. */
    private void restartServer() throws Exception {
        subscriptions.forEach(Disposable::dispose);
        subscriptions.clear();
        queues.forEach(ReaderMailQueue::dispose);
        queues.clear();
        broker.stop();
        broker = new DurableBroker(store.toFile());
    }

    private ReaderMailQueue queue(int readers) {
        return queue(readers, (session, destination, selector) -> session.createConsumer(destination, selector));
    }

    private ReaderMailQueue queue(int readers, ReaderMailQueue.ConsumerOpener opener) {
        return queue(broker.connectionFactory(), readers, opener);
    }

    private ReaderMailQueue queue(ConnectionFactory factory, int readers, ReaderMailQueue.ConsumerOpener opener) {
        MetricRegistry registry = new MetricRegistry();
        ReaderMailQueue queue = new ReaderMailQueue(factory, new RawMailQueueItemDecoratorFactory(),
            MailQueueName.of("spool"), new DropWizardMetricFactory(registry), new DropWizardGaugeRegistry(registry),
            new QueueBodyStore(broker.bodyDirectory(), largeFrom), readers, opener, 500);
        queues.add(queue);
        return queue;
    }

    private static Mail mail(String name) throws Exception {
        return mail(name, "");
    }

    private static Mail mail(String name, String padding) throws Exception {
        String text = "From: a@sender.example\r\nTo: b@rcpt.example\r\nSubject: " + name + "\r\n\r\nbody of " + name + "\r\n"
            + padding;
        MimeMessage message = new MimeMessage(javax.mail.Session.getInstance(new Properties()),
            new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
        return MailImpl.builder().name(name).sender("a@sender.example").addRecipient("b@rcpt.example")
            .mimeMessage(message).build();
    }

    private static String body(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** Subscribes like James's spooler: items processed on a pool, {@code concurrency} at a time. */
    private BlockingQueue<MailQueueItem> subscribe(ReaderMailQueue queue, int concurrency) {
        BlockingQueue<MailQueueItem> received = new LinkedBlockingQueue<>();
        subscriptions.add(Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> received.add(item)).subscribeOn(Schedulers.boundedElastic()),
                concurrency)
            .subscribeOn(Schedulers.boundedElastic())
            .subscribe());
        return received;
    }

    @Test
    void concurrentReadersHandEveryMailOutExactlyOnceWithItsContent() throws Exception {
        ReaderMailQueue queue = queue(8);
        for (int i = 0; i < 300; i++) {
            queue.enQueue(mail("m" + i));
        }
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        AtomicInteger wrongBodies = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(300);
        subscriptions.add(Flux.from(queue.deQueue())
            .flatMap(item -> Mono.fromRunnable(() -> {
                try {
                    Mail mail = item.getMail();
                    if (!body(mail).contains("body of " + mail.getName() + "\r\n")) {
                        wrongBodies.incrementAndGet();
                    }
                    seen.merge(mail.getName(), 1, Integer::sum);
                    item.done(CompletionStatus.SUCCESS);
                    all.countDown();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).subscribeOn(Schedulers.boundedElastic()), 8)
            .subscribe());

        assertThat(all.await(60, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(1500);
        assertThat(seen).hasSize(300);
        assertThat(seen.values()).allMatch(count -> count == 1);
        assertThat(wrongBodies).hasValue(0);
        assertThat(queue.getSize()).isZero();
    }

    /** No copy at dequeue: the mail's message reads the queue message's bytes (James's createMail copies them). */
    @Test
    void aSmallMailIsHandedOutOverItsQueuedBytes() throws Exception {
        ReaderMailQueue queue = queue(2);
        Mail sent = mail("small-1");
        sent.setAttribute(new org.apache.mailet.Attribute(org.apache.mailet.AttributeName.of("org.jsmarthost.test"),
            org.apache.mailet.AttributeValue.of("kept")));
        String expected = body(sent);
        queue.enQueue(sent);
        MailQueueItem item = subscribe(queue, 1).poll(30, TimeUnit.SECONDS);
        assertThat(item).isNotNull();
        Mail mail = item.getMail();

        assertThat(mail.getMessage()).isInstanceOf(org.apache.james.server.core.MimeMessageWrapper.class);
        assertThat(((org.apache.james.server.core.MimeMessageWrapper) mail.getMessage()).getSourceId()).startsWith("ID:");
        assertThat(body(mail)).isEqualTo(expected);
        assertThat(mail.getName()).isEqualTo("small-1");
        assertThat(mail.getMaybeSender().asString()).isEqualTo("a@sender.example");
        assertThat(mail.getRecipients()).extracting(Object::toString).containsExactly("b@rcpt.example");
        assertThat(mail.getAttribute(org.apache.mailet.AttributeName.of("org.jsmarthost.test")))
            .hasValueSatisfying(a -> assertThat(a.getValue().value()).isEqualTo("kept"));
        mail.getMessage().setHeader("X-Changed", "after dequeue");
        assertThat(body(mail)).contains("X-Changed: after dequeue\r\n").contains("body of small-1\r\n");
        item.done(CompletionStatus.SUCCESS);
    }

    @Test
    void readersHandOutAtMostTheirNumberOfMailsAtOnce() throws Exception {
        ReaderMailQueue queue = queue(3);
        for (int i = 0; i < 6; i++) {
            queue.enQueue(mail("m" + i));
        }
        BlockingQueue<MailQueueItem> received = subscribe(queue, 10);
        List<MailQueueItem> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(received.poll(10, TimeUnit.SECONDS));
        }
        assertThat(first).doesNotContainNull();
        assertThat(received.poll(2, TimeUnit.SECONDS)).as("a fourth mail while three are in flight").isNull();

        first.get(0).done(CompletionStatus.SUCCESS);
        MailQueueItem fourth = received.poll(10, TimeUnit.SECONDS);
        assertThat(fourth).isNotNull();
        assertThat(queue.getSize()).isEqualTo(5);
    }

    @Test
    void retryKeepsTheMailQueuedAndHandsItOutAgain() throws Exception {
        ReaderMailQueue queue = queue(2);
        queue.enQueue(mail("again"));
        BlockingQueue<MailQueueItem> received = subscribe(queue, 2);

        MailQueueItem first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first.getMail().getName()).isEqualTo("again");
        first.done(CompletionStatus.RETRY);
        MailQueueItem second = received.poll(15, TimeUnit.SECONDS);
        assertThat(second).isNotNull();
        assertThat(second.getMail().getName()).isEqualTo("again");
        assertThat(body(second.getMail())).contains("body of again");
        second.done(CompletionStatus.SUCCESS);
        Thread.sleep(500);
        assertThat(queue.getSize()).isZero();
    }

    @Test
    void delayedMailIsReadOnlyWhenItsTimeHasCome() throws Exception {
        ReaderMailQueue queue = queue(2);
        BlockingQueue<MailQueueItem> received = subscribe(queue, 2);
        long start = System.currentTimeMillis();
        queue.enQueue(mail("later"), Duration.ofSeconds(3));
        queue.enQueue(mail("now"));

        MailQueueItem now = received.poll(10, TimeUnit.SECONDS);
        assertThat(now.getMail().getName()).isEqualTo("now");
        now.done(CompletionStatus.SUCCESS);
        MailQueueItem later = received.poll(10, TimeUnit.SECONDS);
        long waited = System.currentTimeMillis() - start;
        assertThat(later.getMail().getName()).isEqualTo("later");
        assertThat(waited).isBetween(3000L, 3000L + ReaderMailQueue.SELECTOR_REFRESH_MILLIS + ReaderMailQueue.POLL_MILLIS + 1500);
        later.done(CompletionStatus.SUCCESS);
    }

    @Test
    void aMailInFlightWhenTheServerStopsIsReadAgainAfterRestart() throws Exception {
        ReaderMailQueue queue = queue(2);
        queue.enQueue(mail("in-flight"));
        BlockingQueue<MailQueueItem> received = subscribe(queue, 2);
        MailQueueItem item = received.poll(10, TimeUnit.SECONDS);
        assertThat(item.getMail().getName()).isEqualTo("in-flight");
        // no done(): the server stops while the mail is being processed
        restartServer();
        ReaderMailQueue restarted = queue(2);
        BlockingQueue<MailQueueItem> again = subscribe(restarted, 2);
        MailQueueItem redelivered = again.poll(10, TimeUnit.SECONDS);
        assertThat(redelivered).isNotNull();
        assertThat(redelivered.getMail().getName()).isEqualTo("in-flight");
        assertThat(body(redelivered.getMail())).contains("body of in-flight");
        redelivered.done(CompletionStatus.SUCCESS);
    }

    /**
     * Stands in for the ActiveMQ 5.17 client's prefetch-0 pull that never gets its answer: the first consumer's
     * receive blocks until the consumer is closed. Without the watchdog this reader would never read again.
     */
    @Test
    void watchdogReopensAConsumerWhosePullIsNeverAnswered() throws Exception {
        AtomicBoolean first = new AtomicBoolean(true);
        ReaderMailQueue queue = queue(1, (session, destination, selector) -> {
            MessageConsumer real = session.createConsumer(destination, selector);
            if (!first.getAndSet(false)) {
                return real;
            }
            CountDownLatch closed = new CountDownLatch(1);
            return (MessageConsumer) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MessageConsumer.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("receive")) {
                        closed.await();
                        throw new javax.jms.IllegalStateException("The Consumer is closed");
                    }
                    if (method.getName().equals("close")) {
                        closed.countDown();
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        });
        queue.enQueue(mail("stalled"));
        BlockingQueue<MailQueueItem> received = subscribe(queue, 1);

        MailQueueItem item = received.poll(15, TimeUnit.SECONDS);
        assertThat(item).as("mail read after the watchdog reopened the consumer").isNotNull();
        assertThat(item.getMail().getName()).isEqualTo("stalled");
        assertThat(queue.releasedReaders()).isEqualTo(1);
        item.done(CompletionStatus.SUCCESS);
    }

    private List<String> bodyFiles() {
        String[] names = broker.bodyDirectory().list();
        List<String> list = new ArrayList<>(names == null ? List.of() : List.of(names));
        Collections.sort(list);
        return list;
    }

    private static String padding(int bytes) {
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < bytes; line++) {
            text.append("line ").append(line).append(" of a large mail, padded to seventy-odd characters ....\r\n");
        }
        return text.toString();
    }

    @Test
    void aLargeMailTravelsInABodyFileThatLeavesWithTheMail() throws Exception {
        largeFrom = 10_000;
        ReaderMailQueue queue = queue(2);
        String padding = padding(200_000);
        queue.enQueue(mail("large", padding));
        queue.enQueue(mail("small"));
        assertThat(bodyFiles()).hasSize(1).allMatch(name -> name.matches("[0-9a-f-]{36}\\.eml"));
        assertThat(broker.bodyDirectory().listFiles()[0].length()).isGreaterThan(200_000);

        BlockingQueue<MailQueueItem> received = subscribe(queue, 2);
        Map<String, MailQueueItem> items = new ConcurrentHashMap<>();
        for (int i = 0; i < 2; i++) {
            MailQueueItem item = received.poll(10, TimeUnit.SECONDS);
            items.put(item.getMail().getName(), item);
        }
        assertThat(body(items.get("large").getMail())).endsWith("body of large\r\n" + padding);
        assertThat(items.get("large").getMail().getMessage().getSubject()).isEqualTo("large");
        items.get("small").done(CompletionStatus.SUCCESS);
        assertThat(bodyFiles()).hasSize(1);
        items.get("large").done(CompletionStatus.SUCCESS);
        assertThat(bodyFiles()).isEmpty();
        assertThat(queue.getSize()).isZero();
    }

    /** What the spooler's mailets do: change headers, then write (disclaimer spooling) or change the body. */
    @Test
    void aLargeMailWithChangedHeadersOrBodyIsWrittenWhole() throws Exception {
        largeFrom = 10_000;
        ReaderMailQueue queue = queue(1);
        String padding = padding(300_000);
        queue.enQueue(mail("edited", padding));
        BlockingQueue<MailQueueItem> received = subscribe(queue, 1);
        MailQueueItem item = received.poll(10, TimeUnit.SECONDS);
        MimeMessage message = item.getMail().getMessage();
        message.setHeader("X-Added", "yes");
        assertThat(body(item.getMail())).contains("X-Added: yes").endsWith("body of edited\r\n" + padding);
        message.setText(((String) message.getContent()) + "-- \r\nfooter\r\n");
        message.saveChanges();
        assertThat(body(item.getMail())).contains(padding).contains("footer");
        item.done(CompletionStatus.SUCCESS);
    }

    @Test
    void aLargeMailKeepsItsBodyFileThroughRetryAndRestart() throws Exception {
        largeFrom = 10_000;
        ReaderMailQueue queue = queue(1);
        String padding = padding(50_000);
        queue.enQueue(mail("kept", padding));
        BlockingQueue<MailQueueItem> received = subscribe(queue, 1);
        received.poll(10, TimeUnit.SECONDS).done(CompletionStatus.RETRY);
        MailQueueItem again = received.poll(15, TimeUnit.SECONDS);
        assertThat(body(again.getMail())).endsWith(padding);
        assertThat(bodyFiles()).hasSize(1);
        // stopped while in flight
        restartServer();
        ReaderMailQueue restarted = queue(1);
        MailQueueItem afterRestart = subscribe(restarted, 1).poll(10, TimeUnit.SECONDS);
        assertThat(afterRestart.getMail().getName()).isEqualTo("kept");
        assertThat(body(afterRestart.getMail())).endsWith("body of kept\r\n" + padding);
        afterRestart.done(CompletionStatus.SUCCESS);
        assertThat(bodyFiles()).isEmpty();
    }

    @Test
    void clearingTheQueueDeletesTheBodyFiles() throws Exception {
        largeFrom = 1000;
        ReaderMailQueue queue = queue(1);
        for (int i = 0; i < 3; i++) {
            queue.enQueue(mail("big" + i, padding(5000)));
        }
        queue.enQueue(mail("tiny"));
        assertThat(bodyFiles()).hasSize(3);
        assertThat(queue.clear()).isEqualTo(4);
        assertThat(bodyFiles()).isEmpty();
    }

    // --- small mails: written in place as a serialized byte[], read from the message content ---

    private static Mail rawMail(String name, byte[] raw) throws Exception {
        MimeMessage message = new MimeMessage(javax.mail.Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        return MailImpl.builder().name(name).sender("a@sender.example").addRecipient("b@rcpt.example")
            .mimeMessage(message).build();
    }

    private static byte[] bytes(Mail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    /** Mails of the sizes and byte mixes the in-place form must carry unchanged, by name. */
    private static Map<String, byte[]> rawMails() {
        String head = "From: a@sender.example\r\nTo: b@rcpt.example\r\nSubject: %s\r\n\r\n";
        Map<String, byte[]> mails = new java.util.LinkedHashMap<>();
        mails.put("empty-body", ascii(String.format(head, "empty-body")));
        mails.put("1k", ascii(String.format(head, "1k") + padding(1024).substring(0, 1024)));
        mails.put("50k", ascii(String.format(head, "50k") + padding(50 * 1024).substring(0, 50 * 1024)));
        String top = String.format(head, "255k");
        mails.put("255k", ascii(top + padding(255 * 1024).substring(0, 255 * 1024 - top.length())));
        byte[] eightBit = new byte[3 * 256];
        for (int i = 0; i < eightBit.length; i++) {
            eightBit[i] = (byte) (i % 64 == 63 ? '\n' : 128 + i % 128);
        }
        eightBit[100] = 0;
        eightBit[101] = '\r';
        mails.put("8bit", concat(ascii("From: a@sender.example\r\nSubject: 8bit\r\nContent-Transfer-Encoding: 8bit\r\n"
            + "Content-Type: text/plain; charset=iso-8859-1\r\n\r\n"), eightBit));
        mails.put("eol-mix", ascii("From: a@sender.example\nTo: b@rcpt.example\r\nSubject: eol-mix\n\n"
            + "lf\ncrlf\r\ncr alone\rlf again\n\r\n\n\r\rend without eol"));
        return mails;
    }

    /** The queue's messages as a webadmin-like JMS browser sees them, by mail name. */
    private Map<String, ActiveMQObjectMessage> browseRaw(ConnectionFactory factory) throws Exception {
        javax.jms.Connection connection = factory.createConnection();
        try {
            connection.start();
            javax.jms.Session session = connection.createSession(false, javax.jms.Session.AUTO_ACKNOWLEDGE);
            QueueBrowser browser = session.createBrowser(session.createQueue("spool"));
            Map<String, ActiveMQObjectMessage> messages = new java.util.LinkedHashMap<>();
            for (java.util.Enumeration<?> all = browser.getEnumeration(); all.hasMoreElements(); ) {
                ActiveMQObjectMessage message = (ActiveMQObjectMessage) all.nextElement();
                messages.put(message.getStringProperty("JAMES_MAIL_NAME"), message);
            }
            browser.close();
            return messages;
        } finally {
            connection.close();
        }
    }

    /** What ActiveMQ stores for {@code setObject(bytes)}: ObjectOutputStream's writeObject, then its reset. */
    private static byte[] serialized(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (java.io.ObjectOutputStream objects = new java.io.ObjectOutputStream(out)) {
            objects.writeObject(bytes);
            objects.flush();
            objects.reset();
        }
        return out.toByteArray();
    }

    private static byte[] content(ActiveMQObjectMessage message) {
        ByteSequence content = message.getContent();
        return java.util.Arrays.copyOfRange(content.getData(), content.getOffset(), content.getOffset() + content.getLength());
    }

    private static QueuedBytesSource sourceOf(Mail mail) throws Exception {
        java.lang.reflect.Field source = MimeMessageWrapper.class.getDeclaredField("source");
        source.setAccessible(true);
        return (QueuedBytesSource) source.get(mail.getMessage());
    }

    /** James's browse (webadmin) reads the same bytes. */
    private static void assertBrowsedThroughJames(ReaderMailQueue queue, Map<String, byte[]> expected) throws Exception {
        org.apache.james.queue.api.ManageableMailQueue.MailQueueIterator browse = queue.browse();
        int seen = 0;
        while (browse.hasNext()) {
            Mail mail = browse.next().getMail();
            assertThat(bytes(mail)).as("browsed %s", mail.getName()).isEqualTo(expected.get(mail.getName()));
            seen++;
        }
        browse.close();
        assertThat(seen).isEqualTo(expected.size());
    }

    /** Dequeues {@code count} mails, by name (not done). */
    private Map<String, MailQueueItem> dequeue(ReaderMailQueue queue, int count) throws Exception {
        BlockingQueue<MailQueueItem> received = subscribe(queue, count);
        Map<String, MailQueueItem> items = new java.util.HashMap<>();
        for (int i = 0; i < count; i++) {
            MailQueueItem item = received.poll(20, TimeUnit.SECONDS);
            assertThat(item).as("mail %d of %d", i + 1, count).isNotNull();
            items.put(item.getMail().getName(), item);
        }
        return items;
    }

    @Test
    void smallMailsRoundTripByteForByteThroughTheInPlaceForm() throws Exception {
        ReaderMailQueue queue = queue(rawMails().size()); // one reader per mail: all in flight at once
        Map<String, byte[]> expected = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, byte[]> raw : rawMails().entrySet()) {
            Mail mail = rawMail(raw.getKey(), raw.getValue());
            expected.put(raw.getKey(), bytes(mail));
            queue.enQueue(mail);
        }
        assertThat(expected.get("255k").length).isBetween(250 * 1024, (int) QueueBodyStore.DEFAULT_THRESHOLD - 1);
        assertThat(expected.get("empty-body")).endsWith(ascii("\r\n\r\n"));
        assertThat(bodyFiles()).as("all below the body-file threshold").isEmpty();

        Map<String, ActiveMQObjectMessage> stored = browseRaw(broker.connectionFactory());
        assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, byte[]> mail : expected.entrySet()) {
            ActiveMQObjectMessage message = stored.get(mail.getKey());
            assertThat(message.isCompressed()).isFalse();
            assertThat(content(message)).as("content of %s is what setObject would store", mail.getKey())
                .isEqualTo(serialized(mail.getValue()));
            assertThat(new QueuedBytesSource(message).readsContentInPlace()).isTrue();
            assertThat((byte[]) message.getObject()).as("getObject of %s", mail.getKey()).isEqualTo(mail.getValue());
        }
        assertBrowsedThroughJames(queue, expected);

        Map<String, MailQueueItem> items = dequeue(queue, expected.size());
        for (Map.Entry<String, byte[]> mail : expected.entrySet()) {
            Mail dequeued = items.get(mail.getKey()).getMail();
            assertThat(bytes(dequeued)).as("dequeued %s", mail.getKey()).isEqualTo(mail.getValue());
            assertThat(dequeued.getMessageSize()).as("size of %s", mail.getKey()).isEqualTo(mail.getValue().length);
            assertThat(sourceOf(dequeued).readsContentInPlace()).isTrue();
            assertThat(sourceOf(dequeued).getMessageSize()).isEqualTo(mail.getValue().length);
        }
        for (MailQueueItem item : items.values()) {
            item.done(CompletionStatus.SUCCESS);
        }
        Thread.sleep(500);
        assertThat(queue.getSize()).isZero();
    }

    /** James's {@code JMSCacheableMailQueue.produceMail}, as a smarthost before the in-place form wrote mails. */
    private final class OldWayQueue extends ReaderMailQueue {
        OldWayQueue() {
            super(broker.connectionFactory(), new RawMailQueueItemDecoratorFactory(), MailQueueName.of("spool"),
                new DropWizardMetricFactory(new MetricRegistry()), new DropWizardGaugeRegistry(new MetricRegistry()),
                new QueueBodyStore(broker.bodyDirectory(), largeFrom), 1,
                (session, destination, selector) -> session.createConsumer(destination, selector), 500);
        }

        @Override
        protected void produceMail(Map<String, Object> props, int msgPrio, Mail mail)
            throws javax.jms.JMSException, javax.mail.MessagingException, java.io.IOException {
            ObjectMessage message = session.createObjectMessage();
            for (Map.Entry<String, Object> entry : props.entrySet()) {
                message.setObjectProperty(entry.getKey(), entry.getValue());
            }
            long size = mail.getMessageSize();
            ByteArrayOutputStream out = size > -1 ? new ByteArrayOutputStream((int) size) : new ByteArrayOutputStream();
            mail.getMessage().writeTo(out);
            message.setObject(out.toByteArray());
            producer.send(message, javax.jms.Message.DEFAULT_DELIVERY_MODE, msgPrio, javax.jms.Message.DEFAULT_TIME_TO_LIVE);
        }
    }

    @Test
    void aMailQueuedTheOldWayIsReadAndStoredIdentically() throws Exception {
        OldWayQueue old = new OldWayQueue();
        queues.add(old);
        ReaderMailQueue queue = queue(2);
        byte[] raw = rawMails().get("eol-mix");
        byte[] expected = bytes(rawMail("old", raw));
        old.enQueue(rawMail("old", raw));
        queue.enQueue(rawMail("new", raw));

        Map<String, ActiveMQObjectMessage> stored = browseRaw(broker.connectionFactory());
        assertThat(content(stored.get("new"))).as("same content as setObject").isEqualTo(content(stored.get("old")))
            .isEqualTo(serialized(expected));

        Map<String, MailQueueItem> items = dequeue(queue, 2);
        for (MailQueueItem item : items.values()) {
            assertThat(bytes(item.getMail())).as(item.getMail().getName()).isEqualTo(expected);
            assertThat(item.getMail().getMessageSize()).isEqualTo(expected.length);
            item.done(CompletionStatus.SUCCESS);
        }
    }

    /** A connection with compression keeps James's way (ActiveMQ compresses the serialized array); read back whole. */
    @Test
    void aQueueOnACompressingConnectionStillRoundTrips() throws Exception {
        ActiveMQConnectionFactory compressing = ((ActiveMQConnectionFactory) broker.connectionFactory()).copy();
        compressing.setUseCompression(true);
        ReaderMailQueue queue = queue(compressing, 2,
            (session, destination, selector) -> session.createConsumer(destination, selector));
        Map<String, byte[]> expected = new java.util.HashMap<>();
        for (String name : List.of("50k", "8bit")) {
            Mail mail = rawMail(name, rawMails().get(name));
            expected.put(name, bytes(mail));
            queue.enQueue(mail);
        }

        Map<String, ActiveMQObjectMessage> stored = browseRaw(broker.connectionFactory());
        assertThat(stored.get("50k").isCompressed()).isTrue();
        assertThat(stored.get("50k").getContent().getLength()).isLessThan(expected.get("50k").length / 2);
        assertThat((byte[]) stored.get("50k").getObject()).isEqualTo(expected.get("50k"));

        Map<String, MailQueueItem> items = dequeue(queue, 2);
        for (Map.Entry<String, byte[]> mail : expected.entrySet()) {
            Mail dequeued = items.get(mail.getKey()).getMail();
            assertThat(bytes(dequeued)).as(mail.getKey()).isEqualTo(mail.getValue());
            assertThat(dequeued.getMessageSize()).isEqualTo(mail.getValue().length);
            assertThat(sourceOf(dequeued).readsContentInPlace()).isFalse();
            items.get(mail.getKey()).done(CompletionStatus.SUCCESS);
        }
    }

    @Test
    void bodyStoreRefusesForeignNamesAndClearsIncompleteWrites() throws Exception {
        QueueBodyStore bodies = new QueueBodyStore(store.resolve("b").toFile(), 10);
        java.nio.file.Files.writeString(store.resolve("b").resolve("0a.tmp"), "half");
        java.nio.file.Files.writeString(store.resolve("b").resolve("11111111-2222-3333-4444-555555555555.eml"), "whole");
        assertThat(bodies.removeIncomplete()).isEqualTo(1);
        assertThat(bodies.count()).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bodies.file("../../etc/passwd"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThat(bodies.isLarge(9)).isFalse();
        assertThat(bodies.isLarge(10)).isTrue();
        assertThat(bodies.isLarge(-1)).as("unknown size").isTrue();
    }

    @Test
    void readerCountIsValidatedWithTheSettingName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReaderMailQueueFactory.checkReaders("0", "SMARTHOST_QUEUE_READERS"))
            .hasMessage("SMARTHOST_QUEUE_READERS='0' is invalid: expected a number of queue readers 1-256");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReaderMailQueueFactory.checkReaders("many", "x"))
            .hasMessageContaining("x='many' is invalid");
        assertThat(ReaderMailQueueFactory.checkReaders(" 32 ", "x")).isEqualTo(32);
        assertThat(Collections.singletonList(ReaderMailQueueFactory.checkReaders("256", "x"))).containsExactly(256);
    }
}
