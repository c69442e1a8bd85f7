package org.jsmarthost.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Looks into the files of a server's mail repositories (e.g. {@code var/mail/error}) for what a test expects. */
final class RepositoryFiles {
    private RepositoryFiles() {
    }

    /** The first regular file under {@code dir} whose bytes contain {@code needle}, or null (also when dir is missing). */
    static Path findContaining(Path dir, byte[] needle) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        for (Path p : files) {
            if (indexOf(Files.readAllBytes(p), needle) >= 0) {
                return p;
            }
        }
        return null;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
