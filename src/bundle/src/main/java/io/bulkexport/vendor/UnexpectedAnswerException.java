package io.bulkexport.vendor;

/**
 * A vendor's answer that cannot be read the way the provider declaration expects: not JSON, a field missing or of
 * the wrong kind, a status value listed nowhere. It says nothing certain about the request, so it never ends a run
 * on its own: a status check that meets one is made again later. The message is meant for the user.
 */
public class UnexpectedAnswerException extends IllegalArgumentException {
    public UnexpectedAnswerException(String message) {
        super(Redaction.withoutQueries(message));
    }
}
