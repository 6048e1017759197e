package io.bulkexport.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** The files one export request serves, and what a correct client should end up with. */
public interface ExportContent {

    /** File names, in listing order; a file's index is its position here. */
    List<String> fileNames();

    /** Index of the file with this name, or -1 if the request has no such file. */
    default int indexOf(String name) {
        return fileNames().indexOf(name);
    }

    /** Byte length of a file, or {@link SandboxExchange#UNKNOWN_LENGTH} if it is generated while sent. */
    long contentLength(int index) throws IOException;

    /** Writes the gzip bytes of one file to {@code out} (which is left open). */
    void writeFile(int index, OutputStream out) throws IOException;

    /** Ids of all well-formed records, ascending. */
    List<Long> recordIds() throws IOException;

    /** Number of lines that are not JSON records. */
    long malformedLineCount() throws IOException;
}
