package io.bulkexport.sandbox;

/** One accepted Coresignal data request: its content and when it becomes ready. */
final class CoresignalDataRequest {

    private final String id;
    private final ExportContent content;
    private volatile long readyAtNanos;

    CoresignalDataRequest(String id, ExportContent content, long readyAtNanos) {
        this.id = id;
        this.content = content;
        this.readyAtNanos = readyAtNanos;
    }

    String id() {
        return id;
    }

    ExportContent content() {
        return content;
    }

    boolean isReady() {
        return System.nanoTime() - readyAtNanos >= 0;
    }

    void readyNow() {
        readyAtNanos = System.nanoTime();
    }
}
