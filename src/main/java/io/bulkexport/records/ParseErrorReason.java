package io.bulkexport.records;

/**
 * Shortens a Jackson error message to its leading phrase, dropping quoted tokens, parenthesised
 * details and everything after the first colon, so that no record content leaks into reasons.
 */
final class ParseErrorReason {

    private ParseErrorReason() {
    }

    /** "Unrecognized token 'abc': was expecting ..." becomes "Unrecognized token". */
    static String of(String message) {
        if (message == null || message.isBlank()) {
            return "malformed";
        }
        StringBuilder out = new StringBuilder(Math.min(message.length(), 80));
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n' || c == '\r') {
                break;
            } else if (quoted) {
                quoted = c != '\'';
            } else if (c == '\'') {
                quoted = true;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if (depth == 0) {
                if (c == ':') {
                    break;
                }
                out.append(c);
            }
        }
        String reason = out.toString().replaceAll("\\s+", " ").trim();
        return reason.isEmpty() ? "malformed" : reason;
    }
}
