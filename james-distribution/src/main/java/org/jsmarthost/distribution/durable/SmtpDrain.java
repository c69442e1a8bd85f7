package org.jsmarthost.distribution.durable;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.inject.Inject;
import javax.inject.Provider;

import org.apache.james.protocols.lib.netty.AbstractConfigurableAsyncServer;
import org.apache.james.protocols.netty.AbstractAsyncServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;
import org.apache.james.utils.GuiceProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.EventExecutor;

/**
 * First step of a graceful stop, before James's own shutdown: the SMTP listeners stop accepting
 * connections, then open SMTP sessions get up to {@code smarthost.drain.seconds} (system property,
 * default 15) to finish and disconnect, so a client in the middle of DATA still gets its 250.
 *
 * <p>Why: James 3.8.1 stops an SMTP server by shutting its Netty event loops down, which closes every
 * client connection at once, in the middle of a transaction. James has no API to only stop accepting, so
 * this closes the listening channels (private field {@code AbstractAsyncServer.channels}, which holds only
 * the bound server channels) and counts the client connections still registered on the server's worker
 * event loops ({@code workerGroup}). Reflection on the pinned James 3.8.1; if it fails, the drain is
 * skipped with a warning and the stop proceeds as stock James does.
 */
public final class SmtpDrain implements GuiceProbe {
    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpDrain.class);
    static final String DRAIN_SECONDS = "smarthost.drain.seconds";

    private final Provider<SMTPServerFactory> smtpServers;

    @Inject
    SmtpDrain(Provider<SMTPServerFactory> smtpServers) {
        this.smtpServers = smtpServers;
    }

    public static Duration configuredTimeout() {
        return Duration.ofSeconds(Long.getLong(DRAIN_SECONDS, 15));
    }

    public void drain(Duration timeout) {
        List<EventLoopGroup> workers = new ArrayList<>();
        try {
            Field channelsField = AbstractAsyncServer.class.getDeclaredField("channels");
            Field workerField = AbstractAsyncServer.class.getDeclaredField("workerGroup");
            channelsField.setAccessible(true);
            workerField.setAccessible(true);
            for (AbstractConfigurableAsyncServer server : smtpServers.get().getServers()) {
                if (!server.isStarted()) {
                    continue;
                }
                ((ChannelGroup) channelsField.get(server)).close().awaitUninterruptibly(5_000);
                EventLoopGroup worker = (EventLoopGroup) workerField.get(server);
                if (worker != null) {
                    workers.add(worker);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOGGER.warn("Cannot drain the SMTP servers, stopping them at once", e);
            return;
        }
        int open = openConnections(workers);
        LOGGER.info("SMTP listeners closed; waiting up to {} s for {} open SMTP session(s) to finish", timeout.toSeconds(), open);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (open > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            open = openConnections(workers);
        }
        if (open > 0) {
            LOGGER.warn("{} SMTP session(s) still open after {} s: they are closed now (their unfinished transaction gets no 250 "
                + "and nothing of it is kept)", open, timeout.toSeconds());
        } else {
            LOGGER.info("All SMTP sessions finished");
        }
    }

    /** Open client connections registered on the worker event loops (counted inside each loop's own thread). */
    static int openConnections(List<EventLoopGroup> workers) {
        int open = 0;
        for (EventLoopGroup group : workers) {
            for (EventExecutor executor : group) {
                if (!(executor instanceof SingleThreadEventLoop) || executor.isShuttingDown()) {
                    continue;
                }
                SingleThreadEventLoop loop = (SingleThreadEventLoop) executor;
                try {
                    open += loop.submit(() -> {
                        int count = 0;
                        Iterator<Channel> channels = loop.registeredChannelsIterator();
                        while (channels.hasNext()) {
                            if (channels.next().isOpen()) {
                                count++;
                            }
                        }
                        return count;
                    }).get(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return open;
                } catch (ExecutionException | TimeoutException | RuntimeException e) {
                    LOGGER.debug("cannot count the connections of {}", loop, e);
                }
            }
        }
        return open;
    }
}
