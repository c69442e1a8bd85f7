package org.jsmarthost.cli;

import java.io.IOException;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;

/** Calls operations of the MXBean {@value #OBJECT_NAME} (published by the pack's rewrite/SRS mailets). */
final class RewriteMBeanCalls {
    static final String OBJECT_NAME = "org.jsmarthost:type=Rewrite";

    private RewriteMBeanCalls() {
    }

    static Object invoke(MBeanServerConnection connection, String operation, Object[] args, String[] signature)
            throws CliException, IOException {
        try {
            return connection.invoke(new ObjectName(OBJECT_NAME), operation, args, signature);
        } catch (InstanceNotFoundException e) {
            throw new CliException(SmarthostCli.EXIT_NOT_LOADED, "no MBean " + OBJECT_NAME + " on the server: address"
                + " rewriting and SRS are not loaded (RewriteAddresses / SrsForward in conf/mailetcontainer.xml)");
        } catch (RuntimeMBeanException e) {
            Throwable cause = e.getTargetException() != null ? e.getTargetException() : e;
            throw new CliException(SmarthostCli.EXIT_FAILURE, cause.getMessage(), e);
        } catch (JMException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, operation + " on " + OBJECT_NAME + " failed: " + e.getMessage(), e);
        }
    }
}
