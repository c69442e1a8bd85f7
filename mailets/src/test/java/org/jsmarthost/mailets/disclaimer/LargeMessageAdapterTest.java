package org.jsmarthost.mailets.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

import javax.mail.internet.MimeMessage;
import javax.mail.util.SharedFileInputStream;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50 MB message (text body + three base64 attachments) through the mailet: the bytes the mailet thread
 * allocates while processing it are measured (com.sun.management.ThreadMXBean) and must stay far below the
 * message size, i.e. no copy of the message is held in the heap (the adapter spools to temporary files, the
 * inserter streams and keeps only the changed text part in memory).
 */
class LargeMessageAdapterTest {
    @TempDir
    Path dir;

    @Test
    void fiftyMegabyteMessageIsProcessedWithoutCopyingItIntoTheHeap() throws Exception {
        Path eml = dir.resolve("big.eml");
        Random random = new Random(42);
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(eml))) {
            o.write(("From: Zoe <zoe@corp.example>\r\nTo: bob@remote.example\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: multipart/mixed; boundary=BIG\r\n\r\n--BIG\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    + "Here are the files.\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[57 * 1000];
            for (int a = 0; a < 3; a++) {
                o.write(("--BIG\r\nContent-Type: application/octet-stream; name=f" + a + ".bin\r\nContent-Transfer-Encoding: base64\r\n"
                        + "Content-Disposition: attachment; filename=f" + a + ".bin\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 215; i++) {
                    random.nextBytes(chunk);
                    o.write(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encode(chunk));
                    o.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            o.write("--BIG--\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        long size = Files.size(eml);
        assertThat(size).isGreaterThan(50L * 1000 * 1000);

        Files.writeString(dir.resolve("rules.conf"), "* template=default");
        Files.writeString(dir.resolve("default.txt"), "If you are not the intended recipient, delete this e-mail.");
        AddDisclaimer mailet = new AddDisclaimer(new AddDisclaimerTest.FakeDomainList(java.util.Set.of()), new RecordingMetricFactory(),
                AddDisclaimerTest.CLOCK);
        mailet.init(FakeMailetConfig.builder().mailetName("d").mailetContext(FakeMailContext.defaultContext())
                .setProperty("rules", dir.resolve("rules.conf").toString()).build());
        try (SharedFileInputStream in = new SharedFileInputStream(eml.toFile())) {
            FakeMail mail = FakeMail.builder().name("big").mimeMessage(new MimeMessage(AddDisclaimerTest.SESSION, in))
                    .sender("zoe@corp.example").recipients("bob@remote.example").build();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            mailet.service(mail);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            System.out.printf("disclaimer on a %d byte message: %d bytes allocated by the mailet thread%n", size, allocated);
            assertThat(mail.getAttribute(AddDisclaimer.REASON).get().getValue().value()).isEqualTo("inserted");
            assertThat(allocated).as("allocated while processing %d bytes", size).isLessThan(size / 10);
            assertThat(mail.getMessage().getSize()).isGreaterThan((int) (size - 1000));
        }
    }
}
