package io.bulkexport.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed multipart/form-data body: its parts, each with a field name, optional file name and bytes. */
public final class MultipartForm {

    /** One part of the form. */
    public record Part(String name, String fileName, byte[] content) {
        /** The content decoded as UTF-8. */
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("boundary=(\"([^\"]+)\"|[^;\\s]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("[; ]name=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final Pattern FILE_NAME = Pattern.compile("filename=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private final List<Part> parts;

    private MultipartForm(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /**
     * Parses a body sent with this Content-Type header.
     *
     * @throws IllegalArgumentException if it is not a well-formed multipart/form-data body
     */
    public static MultipartForm parse(String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new IllegalArgumentException("Content-Type is not multipart/form-data");
        }
        Matcher boundaryMatch = BOUNDARY.matcher(contentType);
        if (!boundaryMatch.find()) {
            throw new IllegalArgumentException("multipart boundary missing");
        }
        String boundary = boundaryMatch.group(2) != null ? boundaryMatch.group(2) : boundaryMatch.group(1);
        // ISO-8859-1 maps bytes to chars one to one, so offsets in this string are byte offsets.
        String raw = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        List<Part> parts = new ArrayList<>();
        int at = raw.indexOf(delimiter);
        if (at < 0) {
            throw new IllegalArgumentException("multipart boundary not found in body");
        }
        while (true) {
            int partStart = at + delimiter.length();
            if (raw.startsWith("--", partStart)) {
                break; // closing delimiter
            }
            partStart = skipLineBreak(raw, partStart);
            int next = raw.indexOf("\r\n" + delimiter, partStart);
            if (next < 0) {
                throw new IllegalArgumentException("multipart body is not terminated");
            }
            parts.add(part(raw, partStart, next));
            at = next + 2;
        }
        return new MultipartForm(parts);
    }

    /** The first part with this field name. */
    public Optional<Part> part(String name) {
        return parts.stream().filter(part -> part.name().equals(name)).findFirst();
    }

    /** The text of the first part with this field name, or null. */
    public String field(String name) {
        return part(name).map(Part::text).orElse(null);
    }

    private static Part part(String raw, int start, int end) {
        int headersEnd = raw.indexOf("\r\n\r\n", start);
        if (headersEnd < 0 || headersEnd > end) {
            throw new IllegalArgumentException("multipart part without headers");
        }
        String headers = raw.substring(start, headersEnd);
        Matcher name = NAME.matcher(" " + headers);
        if (!name.find()) {
            throw new IllegalArgumentException("multipart part without a name");
        }
        Matcher fileName = FILE_NAME.matcher(headers);
        String content = raw.substring(headersEnd + 4, end);
        return new Part(name.group(1), fileName.find() ? fileName.group(1) : null,
                content.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int skipLineBreak(String raw, int at) {
        if (raw.startsWith("\r\n", at)) {
            return at + 2;
        }
        return raw.startsWith("\n", at) ? at + 1 : at;
    }
}
