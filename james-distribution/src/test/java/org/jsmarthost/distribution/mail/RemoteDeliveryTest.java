package org.jsmarthost.distribution.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.Session;

import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.james.core.Domain;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;
import org.junit.jupiter.api.Test;

/**
 * Our RemoteDelivery keeps every javax.mail session James's pool made, where James's own keeps 8 and makes the rest
 * anew for each delivery. Real James 3.8.1 classes (RemoteDelivery, its pool), delivery threads not started; the
 * services it does not use before delivering are empty stand-ins.
 */
class RemoteDeliveryTest {
    private static final int THREADS = 10;

    /** Returns an empty answer for everything: false, 0, Optional.empty(), a stand-in for interfaces, else null. */
    @SuppressWarnings("unchecked")
    private static <T> T standIn(Class<T> type) {
        return (T) Proxy.newProxyInstance(RemoteDeliveryTest.class.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            Class<?> r = m.getReturnType();
            switch (m.getName()) {
                case "toString":
                    return "stand-in " + type.getSimpleName();
                case "hashCode":
                    return System.identityHashCode(p);
                case "equals":
                    return p == args[0];
                case "getDefaultDomain":
                    return Domain.of("smarthost.example");
                default:
                    break;
            }
            if (r == boolean.class) {
                return false;
            } else if (r == int.class || r == long.class || r == short.class || r == byte.class) {
                return r == long.class ? (Object) 0L : r == int.class ? (Object) 0 : r == short.class ? (Object) (short) 0 : (Object) (byte) 0;
            } else if (r == double.class || r == float.class) {
                return r == double.class ? (Object) 0d : (Object) 0f;
            } else if (r == Optional.class) {
                return Optional.empty();
            } else if (r.isInterface()) {
                return standIn(r);
            }
            return null;
        });
    }

    /** Resolves IP literals (no DNS is asked: InetAddress parses them); the MX of a name is the name itself. */
    private static DNSService literalDns() {
        return (DNSService) Proxy.newProxyInstance(RemoteDeliveryTest.class.getClassLoader(), new Class<?>[] {DNSService.class},
            (p, m, args) -> {
                switch (m.getName()) {
                    case "getAllByName":
                        return List.of(java.net.InetAddress.getByName((String) args[0]));
                    case "getByName":
                        return java.net.InetAddress.getByName((String) args[0]);
                    case "findMXRecords":
                        return List.of((String) args[0]);
                    case "toString":
                        return "literal DNS";
                    case "hashCode":
                        return System.identityHashCode(p);
                    case "equals":
                        return p == args[0];
                    default:
                        throw new UnsupportedOperationException(m.getName());
                }
            });
    }

    private static MailetConfig config(Map<String, String> parameters) {
        return config(parameters, standIn(MailetContext.class));
    }

    private static MailetConfig config(Map<String, String> parameters, MailetContext context) {
        return new MailetConfig() {
            @Override
            public String getInitParameter(String name) {
                return parameters.get(name);
            }

            @Override
            public Iterator<String> getInitParameterNames() {
                return parameters.keySet().iterator();
            }

            @Override
            public MailetContext getMailetContext() {
                return context;
            }

            @Override
            public String getMailetName() {
                return "RemoteDelivery";
            }
        };
    }

    private static Map<String, String> shippedParameters() {
        return Map.of("outgoing", "outgoing", "gateway", "127.0.0.1:10025", "heloName", "smarthost.example",
                "deliveryThreads", Integer.toString(THREADS), "bounceProcessor", "bounces",
                "mail.smtp.class", SMTPTransport.class.getName(), "mail.smtps.class", SMTPSSLTransport.class.getName());
    }

    private static org.apache.james.transport.mailets.RemoteDelivery init(boolean ours, Map<String, String> parameters)
            throws Exception {
        return init(ours, parameters, standIn(MailQueueFactory.class));
    }

    private static org.apache.james.transport.mailets.RemoteDelivery init(boolean ours, Map<String, String> parameters,
            MailQueueFactory<?> queues) throws Exception {
        DNSService dns = literalDns();
        DomainList domains = standIn(DomainList.class);
        MetricFactory metrics = standIn(MetricFactory.class);
        org.apache.james.transport.mailets.RemoteDelivery.ThreadState notStarted =
                org.apache.james.transport.mailets.RemoteDelivery.ThreadState.DO_NOT_START_THREADS;
        org.apache.james.transport.mailets.RemoteDelivery mailet = ours
                ? new RemoteDelivery(dns, domains, queues, metrics, notStarted)
                : new org.apache.james.transport.mailets.RemoteDelivery(dns, domains, queues, metrics, notStarted);
        mailet.init(config(parameters));
        return mailet;
    }

    /** Sessions newly made when THREADS deliveries run at once, after THREADS ran at once before. */
    @SuppressWarnings("unchecked")
    private static int sessionsMadeInSecondRound(org.apache.james.transport.mailets.RemoteDelivery mailet) throws Exception {
        List<GenericObjectPool<?>> pools = RemoteDelivery.sessionPools(mailet);
        assertThat(pools).hasSize(1);
        GenericObjectPool<Session> pool = (GenericObjectPool<Session>) pools.get(0);
        Set<Session> first = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Session> out = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            out.add(pool.borrowObject());
        }
        first.addAll(out);
        assertThat(first).hasSize(THREADS);
        for (Session s : out) {
            pool.returnObject(s);
        }
        out.clear();
        for (int i = 0; i < THREADS; i++) {
            out.add(pool.borrowObject());
        }
        int made = 0;
        for (Session s : out) {
            if (!first.contains(s)) {
                made++;
            }
            pool.returnObject(s);
        }
        return made;
    }

    @Test
    void ourRemoteDeliveryKeepsEverySessionItMade() throws Exception {
        org.apache.james.transport.mailets.RemoteDelivery ours = init(true, shippedParameters());
        try {
            assertThat(RemoteDelivery.sessionPools(ours)).allSatisfy(p -> assertThat(p.getMaxIdle()).isNegative());
            assertThat(sessionsMadeInSecondRound(ours)).isZero();
        } finally {
            ours.destroy();
        }
    }

    @Test
    void jamesOwnKeepsEightAndMakesTheRestAnew() throws Exception {
        // what the class is for: without it, 10 deliveries at once make 2 new javax.mail sessions every time
        org.apache.james.transport.mailets.RemoteDelivery stock = init(false, shippedParameters());
        try {
            assertThat(sessionsMadeInSecondRound(stock)).isEqualTo(THREADS - 8);
        } finally {
            stock.destroy();
        }
    }

    @Test
    void withSslEnableBothPoolsKeepTheirSessions() throws Exception {
        Map<String, String> p = new java.util.HashMap<>(shippedParameters());
        p.put("sslEnable", "true");
        org.apache.james.transport.mailets.RemoteDelivery ours = init(true, p);
        try {
            List<GenericObjectPool<?>> pools = RemoteDelivery.sessionPools(ours);
            assertThat(pools).hasSize(2).allSatisfy(pool -> assertThat(pool.getMaxIdle()).isNegative());
        } finally {
            ours.destroy();
        }
    }

    @Test
    void theShippedConfUsesItForEveryRemoteDelivery() throws Exception {
        String conf = java.nio.file.Files.readString(java.nio.file.Path.of("../conf/mailetcontainer.xml"));
        String active = conf.replaceAll("(?s)<!--.*?-->", "");
        Matcher m = Pattern.compile("<mailet\\b[^>]*class=\"([^\"]*RemoteDelivery)\"").matcher(active);
        int found = 0;
        while (m.find()) {
            assertThat(m.group(1)).isEqualTo(RemoteDelivery.class.getName());
            found++;
        }
        assertThat(found).isGreaterThanOrEqualTo(2);
    }
    // ---- immediate delivery: James's real MailDelivrer, an in-memory outgoing queue (delivery threads not started,
    // so what is queued stays there to be seen) and a real SMTP peer on 127.0.0.1

    private static Map<String, String> immediate(int port, String... more) {
        Map<String, String> p = new java.util.HashMap<>(shippedParameters());
        p.put("gateway", "127.0.0.1:" + port);
        p.put("immediateDelivery", "true");
        p.put("timeout", "10000");
        p.put("connectiontimeout", "10000");
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    private static org.apache.james.server.core.MailImpl mail(String name) throws Exception {
        String text = "From: a@smarthost.example\r\nTo: b@remote.example\r\nSubject: " + name + "\r\nMessage-ID: <" + name
            + "@smarthost.example>\r\n\r\nbody of " + name + "\r\n";
        javax.mail.internet.MimeMessage m = new javax.mail.internet.MimeMessage(Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        return org.apache.james.server.core.MailImpl.builder().name(name).sender("a@smarthost.example")
            .addRecipient("b@remote.example").mimeMessage(m).state("relay-delivery").build();
    }

    private static org.apache.james.queue.memory.MemoryMailQueueFactory queues() {
        return new org.apache.james.queue.memory.MemoryMailQueueFactory(new org.apache.james.queue.api.RawMailQueueItemDecoratorFactory());
    }

    private static List<String> queued(org.apache.james.queue.memory.MemoryMailQueueFactory queues) throws Exception {
        List<String> names = new ArrayList<>();
        org.apache.james.queue.api.ManageableMailQueue q = queues.getQueue(org.apache.james.queue.api.MailQueueName.of("outgoing")).orElseThrow();
        org.apache.james.queue.api.ManageableMailQueue.MailQueueIterator it = q.browse();
        while (it.hasNext()) {
            names.add(it.next().getMail().getName());
        }
        return names;
    }

    /** A real SMTP peer on 127.0.0.1, an in-memory queue factory and our mailet delivering to the peer. */
    private static final class Fixture implements AutoCloseable {
        final org.jsmarthost.it.SmtpSink sink;
        final org.apache.james.queue.memory.MemoryMailQueueFactory queues = queues();
        final RemoteDelivery mailet;

        Fixture(String rcptReply, String... parameters) throws Exception {
            sink = org.jsmarthost.it.SmtpSink.start().rcptReply(rcptReply);
            RemoteDelivery m = null;
            try {
                m = (RemoteDelivery) init(true, immediate(sink.port(), parameters), queues);
            } finally {
                if (m == null) {
                    sink.close();
                }
            }
            mailet = m;
        }

        List<String> queued() throws Exception {
            return RemoteDeliveryTest.queued(queues);
        }

        @Override
        public void close() throws Exception {
            try {
                mailet.destroy();
            } finally {
                sink.close();
            }
        }
    }

    @Test
    void immediateDeliveryDeliversAtOnceAndQueuesNothing() throws Exception {
        try (Fixture f = new Fixture("250 2.1.5 ok")) {
            assertThat(f.mailet.immediateDelivery()).isTrue();
            org.apache.james.server.core.MailImpl m = mail("m1");
            f.mailet.service(m);
            assertThat(m.getState()).isEqualTo(org.apache.mailet.Mail.GHOST);
            assertThat(f.sink.received()).hasSize(1);
            assertThat(f.sink.received().get(0).recipients).containsExactly("b@remote.example");
            assertThat(f.sink.received().get(0).content()).contains("Subject: m1").contains("body of m1");
            assertThat(f.queued()).isEmpty();
        }
    }

    @Test
    void aTemporaryFailureQueuesTheMailAndPausesImmediateDelivery() throws Exception {
        try (Fixture f = new Fixture("451 4.3.0 try later", "immediateDeliveryPause", "1h")) {
            org.apache.james.server.core.MailImpl m1 = mail("m1");
            f.mailet.service(m1);
            assertThat(m1.getState()).isEqualTo(org.apache.mailet.Mail.GHOST);
            assertThat(f.sink.connections()).isEqualTo(1);
            assertThat(f.queued()).containsExactly("m1");
            // paused: the next mail goes to the queue without an attempt, even though the gateway is fine again
            f.sink.rcptReply("250 2.1.5 ok");
            f.mailet.service(mail("m2"));
            assertThat(f.sink.connections()).isEqualTo(1);
            assertThat(f.sink.received()).isEmpty();
            assertThat(f.queued()).containsExactly("m1", "m2");
        }
    }

    @Test
    void thePauseEnds() throws Exception {
        try (Fixture f = new Fixture("421 4.3.2 shutting down", "immediateDeliveryPause", "300ms")) {
            f.mailet.service(mail("m1"));
            f.sink.rcptReply("250 2.1.5 ok");
            Thread.sleep(400);
            f.mailet.service(mail("m2"));
            assertThat(f.sink.received()).extracting(r -> r.content().contains("body of m2")).containsExactly(true);
            assertThat(f.queued()).containsExactly("m1");
        }
    }

    @Test
    void aPermanentFailureIsLeftToJamesQueueAndDoesNotPause() throws Exception {
        try (org.jsmarthost.it.SmtpSink sink = org.jsmarthost.it.SmtpSink.start()) {
            sink.rcptReply("550 5.1.1 no such user");
            org.apache.james.queue.memory.MemoryMailQueueFactory queues = queues();
            List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
            MailetContext context = (MailetContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MailetContext.class},
                (p, m, args) -> {
                    if (m.getName().equals("sendMail")) {
                        sent.add(String.valueOf(args[0]));
                    }
                    return m.getReturnType() == boolean.class ? false : null;
                });
            RemoteDelivery ours = new RemoteDelivery(literalDns(), standIn(DomainList.class), queues, standIn(MetricFactory.class),
                org.apache.james.transport.mailets.RemoteDelivery.ThreadState.DO_NOT_START_THREADS);
            ours.init(config(immediate(sink.port()), context));
            try {
                ours.service(mail("m1"));
                ours.service(mail("m2"));
                // both tried (a 5xx does not pause), neither bounced here: James's delivery threads do that from the queue
                assertThat(sink.connections()).isEqualTo(2);
                assertThat(sent).isEmpty();
                assertThat(queued(queues)).containsExactly("m1", "m2");
            } finally {
                ours.destroy();
            }
        }
    }

    @Test
    void atMostImmediateDeliveryThreadsAttemptsRunAtOnce() throws Exception {
        try (Fixture f = new Fixture("250 2.1.5 ok", "immediateDeliveryThreads", "1")) {
            f.sink.dataPause(java.time.Duration.ofSeconds(2));
            org.apache.james.server.core.MailImpl m1 = mail("m1");
            Thread first = new Thread(() -> {
                try {
                    f.mailet.service(m1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            first.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (f.sink.connections() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            f.mailet.service(mail("m2")); // the only permit is taken (before the connection was made): queued at once
            assertThat(f.queued()).containsExactly("m2");
            first.join(20_000);
            assertThat(m1.getState()).isEqualTo(org.apache.mailet.Mail.GHOST);
            assertThat(f.sink.received()).extracting(r -> r.content().contains("body of m1")).containsExactly(true);
            assertThat(f.queued()).containsExactly("m2");
            assertThat(f.sink.connections()).isEqualTo(1);
        }
    }

    @Test
    void theJavadocExampleLoadsAndDeliversAtOnce() throws Exception {
        String source = java.nio.file.Files.readString(java.nio.file.Path.of(
            "src/main/java/org/jsmarthost/distribution/mail/RemoteDelivery.java"));
        Matcher example = Pattern.compile("(?s)<mailet match=\"All\" class=\"" + Pattern.quote(RemoteDelivery.class.getName())
            + "\">(.*?)</mailet>").matcher(source);
        assertThat(example.find()).as("the XML example in the class javadoc").isTrue();
        try (org.jsmarthost.it.SmtpSink sink = org.jsmarthost.it.SmtpSink.start()) {
            Map<String, String> parameters = new java.util.HashMap<>();
            Matcher p = Pattern.compile("<([\\w.]+)>([^<]*)</\\1>").matcher(example.group(1));
            while (p.find()) {
                parameters.put(p.group(1), p.group(2).replace("${sys:smarthost.relayhost}", "127.0.0.1:" + sink.port()));
            }
            assertThat(parameters).containsKeys("gateway", "immediateDelivery", "immediateDeliveryThreads", "immediateDeliveryPause",
                "mail.smtp.class");
            org.apache.james.queue.memory.MemoryMailQueueFactory queues = queues();
            RemoteDelivery ours = (RemoteDelivery) init(true, parameters, queues);
            try {
                assertThat(ours.immediateDelivery()).isTrue();
                ours.service(mail("m1"));
                assertThat(sink.received()).extracting(r -> r.content().contains("body of m1")).containsExactly(true);
                assertThat(queued(queues)).isEmpty();
            } finally {
                ours.destroy();
            }
        }
    }

    @Test
    void immediateDeliveryNeedsAGatewayAndNoOnSuccess() throws Exception {
        Map<String, String> noGateway = new java.util.HashMap<>(immediate(10025));
        noGateway.remove("gateway");
        RemoteDelivery mx = (RemoteDelivery) init(true, noGateway, queues());
        RemoteDelivery onSuccess = (RemoteDelivery) init(true, immediate(10025, "onSuccess", "transport"), queues());
        RemoteDelivery off = (RemoteDelivery) init(true, immediate(10025, "immediateDelivery", "false"), queues());
        RemoteDelivery on = (RemoteDelivery) init(true, immediate(10025), queues());
        try {
            assertThat(mx.immediateDelivery()).isFalse();
            assertThat(onSuccess.immediateDelivery()).isFalse();
            assertThat(off.immediateDelivery()).isFalse();
            assertThat(on.immediateDelivery()).isTrue();
        } finally {
            mx.destroy();
            onSuccess.destroy();
            off.destroy();
            on.destroy();
        }
    }

    @Test
    void aBadParameterStopsStartUpNamingIt() {
        for (String[] bad : new String[][] {{"immediateDelivery", "yes"}, {"immediateDeliveryThreads", "0"},
                {"immediateDeliveryThreads", "many"}, {"immediateDeliveryPause", "soon"}, {"immediateDeliveryPause", "0s"}}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> init(true, immediate(10025, bad[0], bad[1]), queues()))
                .isInstanceOf(javax.mail.MessagingException.class)
                .hasMessageContaining("'" + bad[0] + "' is '" + bad[1] + "', expected");
        }
    }

    @Test
    void defaults() {
        ImmediateDeliveryConfig none = ImmediateDeliveryConfig.parse(name -> null);
        assertThat(none.enabled).isFalse();
        assertThat(none.threads).isEqualTo(1);
        assertThat(none.pause).isEqualTo(java.time.Duration.ofSeconds(30));
        ImmediateDeliveryConfig shipped = ImmediateDeliveryConfig.parse(Map.of("immediateDelivery", "TRUE", "deliveryThreads", "10",
            "immediateDeliveryPause", "2m")::get);
        assertThat(shipped.enabled).isTrue();
        assertThat(shipped.threads).isEqualTo(10);
        assertThat(shipped.pause).isEqualTo(java.time.Duration.ofMinutes(2));
        // James's own deliveryThreads is James's to judge: any value gives a default, never a start-up error here
        assertThat(ImmediateDeliveryConfig.parse(Map.of("deliveryThreads", "2000")::get).threads).isEqualTo(1000);
        assertThat(ImmediateDeliveryConfig.parse(Map.of("deliveryThreads", "many")::get).threads).isEqualTo(1);
    }
}
