package org.jsmarthost.core.mime;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs javax.mail-based checks. javax.mail needs javax.activation at run time; James ships
 * {@code com.sun.activation:javax.activation:1.2.0}, but core/pom.xml does not (yet) declare it, so the
 * James BOM's exclusion leaves it off the test class path. Until the lead adds
 * <pre>
 * &lt;dependency&gt;&lt;groupId&gt;com.sun.activation&lt;/groupId&gt;&lt;artifactId&gt;javax.activation&lt;/artifactId&gt;&lt;scope&gt;provided&lt;/scope&gt;&lt;/dependency&gt;
 * </pre>
 * the check runs in a class loader made of the test class path plus that jar from the local Maven repository.
 * With the dependency declared, it runs directly. Only {@code String} arguments cross the boundary.
 */
final class Isolation {
    private static ClassLoader loader;

    private Isolation() {
    }

    static void run(Class<?> owner, String method, String... args) throws Throwable {
        ClassLoader cl = activationPresent() ? owner.getClassLoader() : isolated();
        Class<?> c = Class.forName(owner.getName(), true, cl);
        Class<?>[] types = new Class<?>[args.length];
        java.util.Arrays.fill(types, String.class);
        Method m = c.getDeclaredMethod(method, types);
        m.setAccessible(true);
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(cl); // javax.activation loads the javax.mail content handlers through it
        try {
            m.invoke(null, (Object[]) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private static boolean activationPresent() {
        try {
            Class.forName("javax.activation.DataHandler", false, Isolation.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static synchronized ClassLoader isolated() throws MalformedURLException {
        if (loader != null) {
            return loader;
        }
        String repo = System.getProperty("maven.repo.local",
                System.getProperty("user.home") + File.separator + ".m2" + File.separator + "repository");
        Path jar = Paths.get(repo, "com", "sun", "activation", "javax.activation", "1.2.0", "javax.activation-1.2.0.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("javax.activation is needed by javax.mail and missing: declare "
                    + "com.sun.activation:javax.activation (provided, version from the James BOM) in core/pom.xml; "
                    + "not found at " + jar);
        }
        List<URL> urls = new ArrayList<>();
        urls.add(jar.toUri().toURL());
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                urls.add(Paths.get(e).toUri().toURL());
            }
        }
        loader = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        return loader;
    }
}
