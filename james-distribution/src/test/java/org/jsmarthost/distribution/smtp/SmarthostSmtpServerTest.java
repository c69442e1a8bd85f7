package org.jsmarthost.distribution.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.io.FileHandler;
import org.apache.james.metrics.dropwizard.DropWizardMetricFactory;
import org.apache.james.protocols.api.CommandDetectionSession;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.ChannelHandlerFactory;
import org.apache.james.protocols.netty.CommandInjectionDetectedException;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.smtpserver.netty.SmtpMetricsImpl;
import org.jsmarthost.distribution.smtp.SmarthostSmtpServer.Framer;
import org.junit.jupiter.api.Test;

import com.codahale.metrics.MetricRegistry;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.EventExecutor;

/**
 * The SMTP server's pipeline, built by James 3.8.1's own pipeline factory and framer, over a real socket on
 * 127.0.0.1: with {@code event-loop} every line reaches the core handler framed on the same thread (the connection's
 * event loop), with {@code executor} James's arrangement is untouched (framed on an executor thread); both frame
 * the same lines and both still refuse a STARTTLS followed by another command in one packet.
 */
class SmarthostSmtpServerTest {

    /** What the core handler saw of one line. */
    static final class Seen {
        final String line;
        final boolean framerOnThisThread;
        final boolean framerOnEventLoop;
        final String thread;

        Seen(String line, boolean framerOnThisThread, boolean framerOnEventLoop, String thread) {
            this.line = line;
            this.framerOnThisThread = framerOnThisThread;
            this.framerOnEventLoop = framerOnEventLoop;
            this.thread = thread;
        }
    }

    /** Stands in for James's core handler: records each framed line and where its framer ran. */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Seen> lines = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
        private final boolean detectInjection;

        Recorder(boolean detectInjection) {
            this.detectInjection = detectInjection;
        }

        /** Like James's core handler, puts the session where the framer looks for it (injection check on or off). */
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.channel().attr(BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY).set(new DetectionFlag(detectInjection));
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                EventExecutor framer = ctx.pipeline().context(HandlerConstants.FRAMER).executor();
                lines.add(new Seen(buf.toString(StandardCharsets.ISO_8859_1), framer.inEventLoop(),
                    framer == ctx.channel().eventLoop(), Thread.currentThread().getName()));
            } finally {
                buf.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
            ctx.close();
        }
    }

    /** The part of a James session the framer reads: whether it checks for command injection. */
    static final class DetectionFlag implements CommandDetectionSession {
        private volatile boolean detect;

        DetectionFlag(boolean detect) {
            this.detect = detect;
        }

        @Override
        public boolean needsCommandInjectionDetection() {
            return detect;
        }

        @Override
        public void startDetectingCommandInjection() {
            detect = true;
        }

        @Override
        public void stopDetectingCommandInjection() {
            detect = false;
        }
    }

    /** The real server class, configured from XML, with the recorder as its core handler. */
    static final class Probe extends SmarthostSmtpServer {
        final List<Recorder> recorders = new ArrayList<>();
        private final boolean detectInjection;

        Probe(Framer framer, boolean detectInjection) throws Exception {
            super(new SmtpMetricsImpl(new DropWizardMetricFactory(new MetricRegistry())), framer);
            this.detectInjection = detectInjection;
            XMLConfiguration xml = new XMLConfiguration();
            new FileHandler(xml).load(new StringReader("<smtpserver enabled=\"true\"><jmxName>smtp-test</jmxName>"
                + "<bind>127.0.0.1:0</bind><helloName autodetect=\"false\">test.example</helloName>"
                + "<maxExecutorCount>4</maxExecutorCount></smtpserver>"));
            configure(xml);
        }

        @Override
        protected ChannelHandlerFactory getFrameHandlerFactory() {
            return createFrameHandlerFactory();
        }

        @Override
        protected synchronized ChannelInboundHandlerAdapter createCoreHandler() {
            Recorder r = new Recorder(detectInjection);
            recorders.add(r);
            return r;
        }

        io.netty.channel.ChannelHandler pipeline() {
            return createPipelineFactory();
        }

        synchronized Recorder recorder() {
            return recorders.get(0);
        }
    }

    /**
     * Serves the probe's pipeline on 127.0.0.1 and sends {@code data}: in one write when {@code seed} is 0, else in
     * random pieces; collects what the core handler saw.
     */
    private static void serve(Framer framer, boolean detectInjection, byte[] data, long seed, int expectedLines,
                              List<Seen> seen, List<Throwable> errors) throws Exception {
        Probe probe = new Probe(framer, detectInjection);
        NioEventLoopGroup boss = new NioEventLoopGroup(1);
        NioEventLoopGroup workers = new NioEventLoopGroup(2);
        try {
            Channel server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(probe.pipeline()).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Random random = new Random(seed);
            try (Socket socket = new Socket("127.0.0.1", port)) {
                OutputStream out = socket.getOutputStream();
                int off = 0;
                while (off < data.length) {
                    int n = seed == 0 ? data.length
                        : Math.min(data.length - off, 1 + random.nextInt(random.nextBoolean() ? 16 : 20_000));
                    out.write(data, off, n);
                    out.flush();
                    off += n;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (seen.size() < expectedLines && errors.isEmpty() && System.nanoTime() < deadline) {
                    Recorder r = probe.recorders.isEmpty() ? null : probe.recorder();
                    if (r == null) {
                        Thread.sleep(10);
                        continue;
                    }
                    Seen s = r.lines.poll(100, TimeUnit.MILLISECONDS);
                    if (s != null) {
                        seen.add(s);
                    }
                    r.errors.drainTo(errors);
                }
                Thread.sleep(100);
                probe.recorder().lines.drainTo(seen);
                probe.recorder().errors.drainTo(errors);
            }
            server.close().sync();
        } finally {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** 3 000 random lines (0 to 8 190 bytes before CRLF, any byte but CR/LF), as a client might send DATA. */
    private static List<String> randomLines(long seed) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            int len = random.nextInt(20) == 0 ? 8_190 - random.nextInt(3) : random.nextInt(random.nextBoolean() ? 80 : 2_000);
            StringBuilder sb = new StringBuilder(len + 2);
            for (int j = 0; j < len; j++) {
                char c = (char) random.nextInt(256);
                sb.append(c == '\r' || c == '\n' ? 'x' : c);
            }
            lines.add(sb.append("\r\n").toString());
        }
        return lines;
    }

    private static List<String> framed(Framer framer, long seed) throws Exception {
        List<String> lines = randomLines(seed);
        byte[] data = String.join("", lines).getBytes(StandardCharsets.ISO_8859_1);
        List<Seen> seen = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        serve(framer, false, data, seed, lines.size(), seen, errors);
        assertThat(errors).isEmpty();
        List<String> got = new ArrayList<>();
        for (Seen s : seen) {
            got.add(s.line);
            if (framer == Framer.EVENT_LOOP) {
                assertThat(s.framerOnThisThread).as("framed on the core handler's thread").isTrue();
                assertThat(s.framerOnEventLoop).as("the framer's executor is the connection's event loop").isTrue();
            } else {
                assertThat(s.framerOnThisThread).as("framed on another thread (James 3.8.1)").isFalse();
                assertThat(s.framerOnEventLoop).isFalse();
            }
        }
        assertThat(got).hasSize(lines.size());
        assertThat(got).isEqualTo(lines);
        return got;
    }

    @Test
    void onTheEventLoopEveryLineIsFramedOnTheCoreHandlersThread() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            framed(Framer.EVENT_LOOP, seed);
        }
    }

    @Test
    void theExecutorSettingKeepsJamesArrangementAndFramesTheSameLines() throws Exception {
        assertThat(framed(Framer.EXECUTOR, 7)).isEqualTo(framed(Framer.EVENT_LOOP, 7));
    }

    @Test
    void aStartTlsFollowedByAnotherCommandInOnePacketIsStillRefused() throws Exception {
        for (Framer framer : Framer.values()) {
            List<Seen> seen = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            byte[] data = "EHLO a\r\nSTARTTLS\r\nMAIL FROM:<x@y>\r\n".getBytes(StandardCharsets.US_ASCII);
            // one write: the framer sees STARTTLS and the injected command in the same buffer
            serve(framer, true, data, 0, 3, seen, errors);
            assertThat(errors).as(framer.value()).isNotEmpty();
            for (Throwable e : errors) {
                // Netty wraps what a decoder throws (once on the read, maybe again when the channel closes)
                Throwable cause = e instanceof DecoderException ? e.getCause() : e;
                assertThat(cause).as(framer.value()).isInstanceOf(CommandInjectionDetectedException.class);
            }
            assertThat(seen).as(framer.value() + ": not even EHLO is framed").isEmpty();
        }
    }

    @Test
    void theSettingIsParsedStrictly() {
        assertThat(Framer.parse(null)).isEqualTo(Framer.EVENT_LOOP);
        assertThat(Framer.parse("event-loop")).isEqualTo(Framer.EVENT_LOOP);
        assertThat(Framer.parse(" Executor ")).isEqualTo(Framer.EXECUTOR);
        assertThatThrownBy(() -> Framer.parse("eventloop"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(SmarthostSmtpServer.PROPERTY)
            .hasMessageContaining("'eventloop'")
            .hasMessageContaining("'event-loop'")
            .hasMessageContaining("'executor'");
    }
    /** The factory James's start-up creates reads the property once; a bad value stops it, naming property and value. */
    @Test
    void theFactoryRefusesABadSettingAndMakesServersWithAGoodOne() throws Exception {
        String before = System.getProperty(SmarthostSmtpServer.PROPERTY);
        DropWizardMetricFactory metrics = new DropWizardMetricFactory(new MetricRegistry());
        try {
            System.setProperty(SmarthostSmtpServer.PROPERTY, "threads");
            assertThatThrownBy(() -> new SmarthostSmtpServerFactory(null, null, null, metrics))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SmarthostSmtpServer.PROPERTY).hasMessageContaining("'threads'");

            System.setProperty(SmarthostSmtpServer.PROPERTY, "executor");
            assertThat(((SmarthostSmtpServer) new SmarthostSmtpServerFactory(null, null, null, metrics).createServer())
                .framer()).isEqualTo(Framer.EXECUTOR);
            System.clearProperty(SmarthostSmtpServer.PROPERTY);
            assertThat(((SmarthostSmtpServer) new SmarthostSmtpServerFactory(null, null, null, metrics).createServer())
                .framer()).isEqualTo(Framer.EVENT_LOOP);
        } finally {
            if (before == null) {
                System.clearProperty(SmarthostSmtpServer.PROPERTY);
            } else {
                System.setProperty(SmarthostSmtpServer.PROPERTY, before);
            }
        }
    }
}
