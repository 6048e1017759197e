package io.bulkexport.records;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Temp-file naming and the rename/fsync steps that make a finished file appear atomically. */
final class AtomicFiles {

    static final String TEMP_PREFIX = ".";
    static final String TEMP_SUFFIX = ".part";

    private AtomicFiles() {
    }

    /** The hidden temp file beside {@code target}: {@code .<name>.part}. */
    static Path tempFor(Path target) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + TEMP_SUFFIX);
    }

    static boolean isTemp(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)
                && name.length() > TEMP_PREFIX.length() + TEMP_SUFFIX.length();
    }

    /** Renames {@code temp} over {@code target}, atomically where the file system allows it. */
    static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Best effort: persists renames in {@code directory} (not possible on every platform). */
    static void syncDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException ignored) {
            // e.g. Windows cannot open directories; the renames themselves have happened
        }
    }

    /** Deletes every {@code .*.part} regular file under {@code directory}; returns how many. */
    static int deleteTemps(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        List<Path> temps;
        try (Stream<Path> files = Files.walk(directory)) {
            temps = files.filter(AtomicFiles::isTemp).filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).collect(Collectors.toList());
        }
        int deleted = 0;
        for (Path temp : temps) {
            if (Files.deleteIfExists(temp)) {
                deleted++;
            }
        }
        return deleted;
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing more can be done; startup recovery removes leftovers
        }
    }
}
