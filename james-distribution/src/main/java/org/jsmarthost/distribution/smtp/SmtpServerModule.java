package org.jsmarthost.distribution.smtp;

import org.apache.james.smtpserver.netty.SMTPServerFactory;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;

/**
 * Override module: James's {@link SMTPServerFactory} (every {@code <smtpserver>} of {@code smtpserver.xml}) is
 * {@link SmarthostSmtpServerFactory}. Everything that asks for James's factory (its start-up, certificate reload,
 * the SMTP probe, {@code SmtpDrain}) gets this one.
 */
public final class SmtpServerModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(SmarthostSmtpServerFactory.class).in(Scopes.SINGLETON);
        bind(SMTPServerFactory.class).to(SmarthostSmtpServerFactory.class);
    }
}
