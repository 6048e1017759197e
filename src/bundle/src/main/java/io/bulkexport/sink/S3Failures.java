package io.bulkexport.sink;

import java.io.IOException;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Says in one line why S3 did not take a file, naming the setting to look at: a missing bucket, refused
 * credentials, missing permissions, an unreachable endpoint. Refusals are not retried; outages are.
 */
final class S3Failures {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.s3");
    private static final Set<String> CREDENTIAL_ERRORS = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "InvalidSecurity");

    private S3Failures() {
    }

    /** The failure as the exception to throw: {@link SinkRefusedException} or {@link SinkUnavailableException}. */
    static SinkException explain(Throwable failure, S3Settings settings) {
        LOG.debug("S3 failure", failure);
        String bucket = settings.bucket().orElse("");
        AwsServiceException answer = find(failure, AwsServiceException.class);
        if (answer != null) {
            String code = answer.awsErrorDetails() == null ? null : answer.awsErrorDetails().errorCode();
            int status = answer.statusCode();
            if ("NoSuchBucket".equals(code) || (status == 404 && code == null)) {
                return new SinkRefusedException("S3 bucket '" + bucket + "' does not exist (bulkexport.s3.bucket)");
            }
            if ("NoSuchUpload".equals(code)) {
                return new SinkUnavailableException("the multipart upload was gone before it was completed (aborted"
                        + " meanwhile by another attempt at the same file, or by the bucket's lifecycle rule): the file"
                        + " is uploaded again");
            }
            if (code != null && CREDENTIAL_ERRORS.contains(code)) {
                return new SinkRefusedException("S3 refused the credentials (" + code + "): check what the AWS default"
                        + " credential chain provides (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, role)");
            }
            if (status == 403) {
                return new SinkRefusedException("S3 bucket '" + bucket + "' is not writable with these credentials ("
                        + (code == null ? "403" : code) + "): they need s3:PutObject, s3:ListBucketMultipartUploads and"
                        + " s3:AbortMultipartUpload");
            }
            if (status >= 500 || status == 429) {
                return new SinkUnavailableException("S3 endpoint " + settings.endpointText() + " answered " + status
                        + (code == null ? "" : " " + code));
            }
            return new SinkRefusedException("S3 refused the upload to bucket '" + bucket + "': " + status
                    + (code == null ? "" : " " + code) + " — " + oneLine(answer.awsErrorDetails() == null
                    ? answer.getMessage() : answer.awsErrorDetails().errorMessage()));
        }
        SdkClientException client = find(failure, SdkClientException.class);
        if (client == null) {
            return new SinkUnavailableException("S3 upload failed: " + describe(failure));
        }
        if (String.valueOf(client.getMessage()).contains("Unable to load credentials")) {
            return new SinkRefusedException("no AWS credentials found by the AWS default credential chain: set"
                    + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role");
        }
        IOException network = find(client, IOException.class);
        return new SinkUnavailableException("S3 endpoint " + settings.endpointText() + " unreachable: "
                + describe(network != null ? network : client));
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String describe(Throwable failure) {
        return oneLine(failure.getClass().getSimpleName() + ": " + failure.getMessage());
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replaceAll("\\s+", " ");
    }
}
