package io.bulkexport;

import com.zaxxer.hikari.HikariDataSource;
import io.bulkexport.config.Secrets;
import io.bulkexport.presigned.PresignedFiles;
import io.bulkexport.run.Instances;
import io.bulkexport.sink.S3Check;
import io.bulkexport.sink.S3Clients;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the bundle opened, closed when Camel stops, after the routes have finished their work (Camel stops its
 * services after its routes): the state database last.
 */
final class BundleResources extends ServiceSupport {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");

    volatile Emulators emulators;
    volatile PresignedFiles presignedFiles;
    volatile S3Clients.Shared s3Client;
    volatile S3Check s3Check;
    volatile HikariDataSource dataSource;
    volatile Instances instances;

    @Override
    protected void doStop() {
        if (instances != null) {
            instances.release(); // the routes have stopped: nothing of this instance is in flight any more
            instances = null;
        }
        if (emulators != null) {
            Secrets.useStandIns(null);
            emulators.close();
            emulators = null;
        }
        if (presignedFiles != null) {
            try {
                presignedFiles.close();
            } catch (java.io.IOException e) {
                LOG.debug("closing the presigned download client", e);
            }
            presignedFiles = null;
        }
        if (s3Client != null) {
            s3Client.close();
            s3Client = null;
        }
        if (dataSource != null) {
            dataSource.close();
            dataSource = null;
        }
    }
}
