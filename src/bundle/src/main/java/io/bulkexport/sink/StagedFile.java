package io.bulkexport.sink;

import io.bulkexport.state.FileLanded;

/**
 * One attempt's output of a vendor file, complete but not visible yet: on disk under a temporary name, or uploaded to
 * S3 all but the upload's completion. The pipeline makes it visible ({@link #publish}) only while the attempt's claim
 * of the file still holds, under the state store's fence; an attempt that lost its claim is {@link #discard}ed.
 */
public interface StagedFile {

    /** What landing it records: where it will be, its records, bytes and checksum. */
    FileLanded landed();

    /** Makes it visible under its final name or key: a rename, an upload's completion. */
    void publish() throws Exception;

    /** After the publish was recorded: says so in the log, removes local copies. */
    void published();

    /** Never to be published (the attempt was superseded, or the publish failed): nothing of it stays. */
    void discard();
}
