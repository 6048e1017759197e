package io.bulkexport.sink;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Puts objects into the bucket through the AWS SDK, in two steps so that the pipeline can fence the second: a file's
 * parts are uploaded first ({@link #stage}), and the object appears only when the upload is completed
 * ({@link Staged#complete}), which the state store does only for the attempt that still holds the file's claim. A file
 * that fits in one part is sent whole at completion. The key is given to the SDK as it is: nothing evaluates it (the
 * aws2-s3 component reads its key header as a Simple expression, see docs/security.md).
 */
final class S3Uploads {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport.s3");

    private final Supplier<S3Client> client;
    private final S3Settings settings;

    S3Uploads(Supplier<S3Client> client, S3Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** An object whose bytes are with S3 (or at hand), not visible until completed. */
    interface Staged {
        void complete();

        void abort();
    }

    /**
     * Uploads {@code file} as the parts of a new multipart upload of {@code key} (a file of at most one part is
     * only read at completion). Unfinished uploads of the key that an earlier process left are aborted first, as far
     * as the store allows: one it cannot abort is left to the bucket's lifecycle rule.
     */
    Staged stage(String key, Path file, String contentType) {
        String bucket = settings.bucket().orElseThrow();
        S3Client s3 = client();
        long size = size(file);
        abortUnfinished(s3, bucket, key);
        if (size <= settings.partSize()) {
            return new Staged() {
                @Override
                public void complete() {
                    call(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType)
                            .contentLength(size), RequestBody.fromFile(file)));
                }

                @Override
                public void abort() {
                    // nothing was sent
                }
            };
        }
        String uploadId = call(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                .uploadId());
        List<CompletedPart> parts = new ArrayList<>();
        Staged staged = new Staged() {
            @Override
            public void complete() {
                call(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts))));
            }

            @Override
            public void abort() {
                abortQuietly(s3, bucket, key, uploadId);
            }
        };
        try {
            for (long offset = 0; offset < size; offset += settings.partSize()) {
                int number = parts.size() + 1;
                long start = offset;
                long length = Math.min(settings.partSize(), size - offset);
                String etag = call(() -> s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(number).contentLength(length),
                        RequestBody.fromContentProvider(() -> slice(file, start, length), length,
                                "application/octet-stream")).eTag());
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }
        } catch (RuntimeException e) {
            staged.abort();
            throw e;
        }
        return staged;
    }

    /** A small object, put at once (the manifest). */
    void put(String key, byte[] body, String contentType) {
        String bucket = settings.bucket().orElseThrow();
        S3Client s3 = client();
        call(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType)
                .contentLength((long) body.length), RequestBody.fromBytes(body)));
    }

    private void abortUnfinished(S3Client s3, String bucket, String key) {
        int aborted = 0;
        try {
            for (MultipartUpload upload : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(key))
                    .uploads()) {
                if (upload.key().equals(key) && abortQuietly(s3, bucket, key, upload.uploadId())) {
                    aborted++;
                }
            }
        } catch (RuntimeException e) {
            throw S3Failures.explain(e, settings);
        }
        if (aborted > 0) {
            LOG.info("aborted {} unfinished upload(s) of s3://{}/{} left by an earlier attempt", aborted, bucket, key);
        }
    }

    private static boolean abortQuietly(S3Client s3, String bucket, String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not abort the unfinished upload {} of s3://{}/{} ({}): it is left to the bucket's"
                    + " lifecycle rule (AbortIncompleteMultipartUpload)", uploadId, bucket, key, e.getMessage());
            return false;
        }
    }

    private S3Client client() {
        try {
            return client.get();
        } catch (RuntimeException e) {
            throw S3Failures.explain(e, settings);
        }
    }

    /** Runs one S3 call; its failure becomes the one line {@link S3Failures} makes of it. */
    private <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            throw S3Failures.explain(e, settings);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the spool file " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code length} bytes of {@code file} from {@code offset}, as a stream of their own. */
    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(offset);
            return new FilterInputStream(Channels.newInputStream(channel)) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    if (b >= 0) {
                        left--;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buffer, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read the spool file " + file + ": " + e.getMessage(), e);
        }
    }
}
