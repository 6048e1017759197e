package io.bulkexport.records;

/** How a record file is stored: as plain JSON Lines, or gzip-compressed with a {@code .gz} suffix. */
public enum Compression {
    NONE(""),
    GZIP(".gz");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The compression a setting names: {@code none} or {@code gzip} (checked by the caller). */
    public static Compression named(String name) {
        return "gzip".equals(name) ? GZIP : NONE;
    }

    /** What the stored file's name ends with after {@code .jsonl}: {@code ""} or {@code ".gz"}. */
    public String suffix() {
        return suffix;
    }
}
