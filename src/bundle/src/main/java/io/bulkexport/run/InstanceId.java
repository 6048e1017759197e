package io.bulkexport.run;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The default id of an instance among those sharing the state database: host name and process id. A class of its
 * own, without logging, so that a launcher can name the instance before its logging starts.
 */
public final class InstanceId {
    /** The setting that names the instance. */
    public static final String SETTING = "bulkexport.instance.id";

    private InstanceId() {
    }

    /** Host name and process id, e.g. {@code exports-7d9f-1}. */
    public static String defaultId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
