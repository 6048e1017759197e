package io.bulkexport.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

import io.bulkexport.config.ConfigurationException;
import io.bulkexport.config.Settings;
import io.bulkexport.records.Compression;

/**
 * The {@code bulkexport.s3.*} settings: where objects go (bucket, key prefix), how the store is reached (region,
 * endpoint override, path-style addressing), how files are stored (compression, multipart part size) and where
 * they are spooled before the upload. Credentials are not among them: they come from the AWS default chain.
 *
 * @param bucket   empty when unset; {@link #requireBucket} refuses that once a job writes to S3
 * @param prefix   without leading or trailing '/', possibly empty
 * @param keepVendorGzip with gzip objects: store a vendor's gzip JSON Lines file as it came when every line is kept
 *                 as read (see {@link io.bulkexport.records.RecordFileWriter#keepSource}), instead of compressing
 * @param region   empty: the AWS default region chain (AWS_REGION, profile), else us-east-1
 * @param endpoint empty: AWS itself
 */
public record S3Settings(
        Optional<String> bucket,
        String prefix,
        Optional<String> region,
        Optional<URI> endpoint,
        boolean pathStyle,
        boolean trustAllCertificates,
        Compression compression,
        boolean keepVendorGzip,
        long partSize,
        Path spoolDir) {

    /** S3's smallest part of a multipart upload (all but the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public static S3Settings read(Settings settings) {
        return new S3Settings(
                settings.optional("bulkexport.s3.bucket"),
                settings.textOrEmpty("bulkexport.s3.prefix").replaceAll("^/+|/+$", ""),
                settings.optional("bulkexport.s3.region"),
                settings.optional("bulkexport.s3.endpoint").map(S3Settings::endpoint),
                settings.flag("bulkexport.s3.path-style"),
                settings.flag("bulkexport.s3.trust-all-certificates"),
                Compression.named(settings.oneOf("bulkexport.s3.compression", "gzip", "none")),
                settings.flag("bulkexport.s3.keep-vendor-gzip"),
                settings.whole("bulkexport.s3.part-size", MIN_PART_SIZE),
                Path.of(settings.text("bulkexport.s3.spool-dir")));
    }

    /** The bucket; refuses to go on without one, naming the job that needs it. */
    public String requireBucket(String jobName) {
        return bucket.orElseThrow(() -> new ConfigurationException("bulkexport.s3.bucket is not set: job " + jobName
                + " writes to S3 (sink: s3); set -Dbulkexport.s3.bucket=<bucket>, or use sink: file"));
    }

    /** The object key of a name in a run's folder: {@code {prefix}/{folder}/{name}}. */
    public String key(String folder, String name) {
        String path = folder + "/" + name;
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /** Where objects land, in words: bucket, prefix and compression (the endpoint is only the way there). */
    public String destination() {
        return Destination.s3(bucket.orElse(""), prefix, compression).text();
    }

    /** The endpoint, as shown in messages. */
    public String endpointText() {
        return endpoint.map(URI::toString).orElse("https://s3." + region.orElse("<default region>") + ".amazonaws.com");
    }

    private static URI endpoint(String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))) {
                throw new URISyntaxException(value, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigurationException("bulkexport.s3.endpoint must be a URL such as https://minio.example:9000,"
                    + " not '" + value + "'");
        }
    }
}
