package io.bulkexport.sink;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;

import io.bulkexport.run.Retries;

/**
 * This machine's disk, not the vendor or the store, stopped a file: the folder is full, read-only or not writable.
 * Fetching the file again at once would fail the same way (and pay for the download again), so it is not retried:
 * the file fails with one line naming the folder, its setting and the space, and starting the job again once the
 * disk is fixed fetches the files that failed, without submitting.
 */
public class LocalDiskException extends SinkRefusedException implements Retries.NotRetryable {
    private LocalDiskException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }

    /**
     * The failure as a {@link LocalDiskException} when it is one of the disk's (no space, read-only, access denied),
     * else null.
     *
     * @param file    what was being written
     * @param setting the setting that chose its folder
     * @param written bytes of this file written when it failed
     */
    static LocalDiskException of(IOException failure, Path file, String setting, long written) {
        String said = String.valueOf(failure.getMessage());
        Path folder = file.toAbsolutePath().getParent();
        if (said.contains("No space left on device") || said.contains("Disk quota exceeded")) {
            return new LocalDiskException("no space left on the device of " + folder + " (" + setting + "): this file"
                    + " had written " + mb(written) + " when the disk filled, " + free(folder) + "; free space or"
                    + " point " + setting + " elsewhere, then start the job again — files already landed are kept,"
                    + " the rest are fetched again without submitting", failure);
        }
        if (failure instanceof AccessDeniedException || said.contains("Read-only file system")) {
            return new LocalDiskException("cannot write in " + folder + " (" + setting + "): " + failure.getClass()
                    .getSimpleName() + " " + said + "; make it writable or point " + setting + " elsewhere, then start"
                    + " the job again", failure);
        }
        return null;
    }

    /** As {@link #of(IOException, Path, String, long)}, for the file system's unchecked read-only failure. */
    static LocalDiskException readOnly(ReadOnlyFileSystemException failure, Path file, String setting) {
        return new LocalDiskException("cannot write in " + file.toAbsolutePath().getParent() + " (" + setting
                + "): the file system is read-only; point " + setting + " elsewhere, then start the job again", failure);
    }

    private static String free(Path folder) {
        try {
            FileStore store = Files.getFileStore(folder);
            return mb(store.getUsableSpace()) + " free now of " + mb(store.getTotalSpace());
        } catch (IOException | RuntimeException e) {
            return "free space unknown";
        }
    }

    private static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }
}
