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

/**
 * Temp-file naming and the rename/fsync steps that make a finished file appear atomically. Each attempt at a file
 * writes temp files of its own ({@code .<name>.<attempt>.part}): two attempts at one file (an instance that stalled
 * past its lease and the one that took the file over) never write into, truncate or rename each other's output.
 */
final class AtomicFiles {

    static final String TEMP_PREFIX = ".";
    static final String TEMP_SUFFIX = ".part";
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private AtomicFiles() {
    }

    /** A new attempt's tag: eight hex digits, random. */
    static String newAttempt() {
        return String.format("%08x", RANDOM.nextInt());
    }

    /** The hidden temp file of one attempt beside {@code target}: {@code .<name>.<attempt>.part}. */
    static Path tempFor(Path target, String attempt) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + "." + attempt + TEMP_SUFFIX);
    }

    /**
     * Deletes the temp files other attempts left beside {@code target} for it (of {@link #tempFor} with any attempt,
     * also those of {@code target + "." + suffix}, for each given suffix): called once the target is published,
     * when whatever they held can no longer land. An attempt still writing one (a stalled process) then fails to
     * publish it, which the ledger refuses anyway.
     */
    static void deleteOtherAttempts(Path target, String... suffixes) {
        StringBuilder names = new StringBuilder(java.util.regex.Pattern.quote(target.getFileName().toString()));
        names.append("(");
        for (String suffix : suffixes) {
            names.append("\\.").append(java.util.regex.Pattern.quote(suffix)).append("|");
        }
        names.append(")");
        java.util.regex.Pattern temp = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(TEMP_PREFIX)
                + names + "\\.[0-9a-f]{8}" + java.util.regex.Pattern.quote(TEMP_SUFFIX));
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            siblings.filter(p -> temp.matcher(p.getFileName().toString()).matches())
                    .forEach(AtomicFiles::deleteQuietly);
        } catch (IOException ignored) {
            // left for the start-up clean-up
        }
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
