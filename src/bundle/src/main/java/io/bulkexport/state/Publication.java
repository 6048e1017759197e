package io.bulkexport.state;

/**
 * What makes a landed file visible under its final name or key (a rename, an upload's completion). The state store
 * runs it while it holds the file's row, only for the attempt whose claim still holds ({@link StateStore#landFile}).
 */
@FunctionalInterface
public interface Publication {
    void publish() throws Exception;
}
