package org.jsmarthost.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link ArchiveCrashIT} with the archive in a real S3-API server (S3Proxy): kill -9 during a load of 1200
 * messages, restart, drain; `smarthost-cli archive verify` passes over the S3 chain and every message is archived
 * exactly once as received and as sent.
 */
class ArchiveS3CrashIT extends ArchiveCrashIT {
    private S3ProxyServer s3;

    @Override
    protected SmarthostServer createServer(SmtpSink sink) throws Exception {
        Path work = SmarthostServer.distribution().getParent().resolve("it-homes/archive-s3-crash-proxy");
        SmarthostServer.deleteRecursively(work);
        s3 = S3ProxyServer.start(Files.createDirectories(work));
        SmarthostServer server = SmarthostServer.create("archive-s3-crash", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()))
            .senderDomains("corp.example");
        s3.configure(server, "crash-node");
        return server;
    }

    @Override
    protected void afterServerStopped() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }
}
