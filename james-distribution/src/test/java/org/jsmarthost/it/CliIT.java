package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.junit.jupiter.api.Test;

/** bin/smarthost-cli, bin/james-cli and bin/smarthost status/stop against the running distribution, then down. */
class CliIT {
    @Test
    void statusWhileRunningThenClearFailureWhenDown() throws Exception {
        try (SmtpSink sink = SmtpSink.start();
             SmarthostServer server = SmarthostServer.create("cli", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port())).start()) {
            CliResult status = server.smarthostCli("status");
            assertThat(status.exitCode).as(status.toString()).isZero();
            assertThat(status.output).contains("james-smarthost 0.")
                .contains("uptime:")
                .contains("startable PackStartup org.jsmarthost.mailets.PackStartup");

            CliResult control = server.control("status");
            assertThat(control.exitCode).as(control.toString()).isZero();
            assertThat(control.output).contains("running in " + server.home).contains("james-smarthost 0.");

            CliResult wrongPassword = server.smarthostCli("-username", "james-admin", "-password", "not-it", "status");
            assertThat(wrongPassword.exitCode).isEqualTo(3);
            assertThat(wrongPassword.output).contains("authentication failed");

            CliResult stop = server.control("stop");
            assertThat(stop.exitCode).as(stop.toString()).isZero();
            assertThat(stop.output).contains("stopped");
            assertThat(server.console()).contains("JAMES server stopped");

            CliResult down = server.smarthostCli("status");
            assertThat(down.exitCode).isEqualTo(1);
            assertThat(down.output).contains("cannot connect to the smarthost's JMX port 127.0.0.1:" + server.jmxPort)
                .contains("is the server running?");

            CliResult controlDown = server.control("status");
            assertThat(controlDown.exitCode).isEqualTo(3);
            assertThat(controlDown.output).contains("not running");

            CliResult jamesCliDown = server.jamesCli("ListDomains");
            assertThat(jamesCliDown.exitCode).isNotZero();
        }
    }
}
