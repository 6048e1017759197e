package io.bulkexport.sandbox;

/** One generated file: its name and the record id of each of its lines (consecutive or listed). */
public final class GeneratedFile {

    private final String name;
    private final long firstId;
    private final int lineCount;
    private final long[] ids;

    private GeneratedFile(String name, long firstId, int lineCount, long[] ids) {
        this.name = name;
        this.firstId = firstId;
        this.lineCount = lineCount;
        this.ids = ids;
    }

    /** A file whose lines carry ids firstId, firstId + 1, ... */
    public static GeneratedFile consecutive(String name, long firstId, int lineCount) {
        return new GeneratedFile(name, firstId, lineCount, null);
    }

    /** A file whose lines carry exactly these ids, in order. */
    public static GeneratedFile ofIds(String name, long[] ids) {
        return new GeneratedFile(name, 0, ids.length, ids.clone());
    }

    /** File name as listed. */
    public String name() {
        return name;
    }

    /** Number of lines, malformed ones included. */
    public int lineCount() {
        return lineCount;
    }

    /** Record id of a line (0-based). */
    public long idAt(int line) {
        return ids == null ? firstId + line : ids[line];
    }
}
