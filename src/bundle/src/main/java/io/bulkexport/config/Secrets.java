package io.bulkexport.config;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads credentials. They come from environment variables; a JVM system property of the same name is accepted for
 * embedding and tests; while the vendor emulators run, they answer stand-ins for the variables left unset. A
 * credential is never put in a Camel header, property, URI or log line: the bundle redacts the values read here from
 * the texts it builds ({@link #redact}), and a logging backend may guard them too ({@link #onRead}).
 */
public final class Secrets {
    /** Values shorter than this would match too much text to redact. */
    private static final int SHORTEST = 6;
    private static final Set<String> KNOWN = new CopyOnWriteArraySet<>();
    private static final List<Consumer<String>> LISTENERS = new CopyOnWriteArrayList<>();
    private static volatile Function<String, String> standIns;

    private Secrets() {
    }

    /** The credential's value, or null when it is not set or blank. Any value read is redacted from then on. */
    public static String get(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        Function<String, String> stand = standIns;
        if ((value == null || value.isBlank()) && stand != null) {
            value = stand.apply(name);
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        remember(value);
        return value;
    }

    /** Keeps a secret that did not come through {@link #get} (an access token, say) out of every text from now on. */
    public static void remember(String value) {
        if (value != null && value.length() >= SHORTEST && KNOWN.add(value)) {
            LISTENERS.forEach(listener -> listener.accept(value));
        }
    }

    /** The text with every known secret replaced by {@code ***}. */
    public static String redact(String text) {
        if (text == null || KNOWN.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : KNOWN) {
            if (result.contains(secret)) {
                result = result.replace(secret, "***");
            }
        }
        return result;
    }

    /** Tells {@code listener} every secret read so far and from now on (a log filter that drops lines holding one). */
    public static void onRead(Consumer<String> listener) {
        LISTENERS.add(listener);
        KNOWN.forEach(listener);
    }

    /** While the emulators run: what they accept for a credential variable that is unset (null when they stop). */
    public static void useStandIns(Function<String, String> standIns) {
        Secrets.standIns = standIns;
    }
}
