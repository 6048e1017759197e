package io.bulkexport.records;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Caps how much text a parser may read for one record: past the bound it fails with {@link RecordTooLong}, so a
 * runaway quoted field cannot pull the rest of a large file into memory. The parser says when a record ended.
 */
final class RecordBoundReader extends FilterReader {

    /** More text than one record may hold was read without the record ending. */
    static final class RecordTooLong extends IOException {
        RecordTooLong(long bound) {
            super("more than " + bound + " characters without the end of a record");
        }
    }

    private final long bound;
    private long sinceRecordEnd;

    RecordBoundReader(Reader in, long bound) {
        super(in);
        this.bound = bound;
    }

    /** Starts counting again: a record was complete. */
    void recordEnded() {
        sinceRecordEnd = 0;
    }

    @Override
    public int read() throws IOException {
        char[] one = new char[1];
        return read(one, 0, 1) < 0 ? -1 : one[0];
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (sinceRecordEnd >= bound) {
            throw new RecordTooLong(bound);
        }
        int n = super.read(buffer, offset, (int) Math.min(length, bound - sinceRecordEnd));
        if (n > 0) {
            sinceRecordEnd += n;
        }
        return n;
    }
}
