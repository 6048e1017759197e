package io.bulkexport.example;

import org.apache.camel.main.Main;

/**
 * A user's Camel Main application: nothing of bulk-export's but the dependency and the one property in
 * {@code application.properties} that adds its routes.
 */
public final class ExampleApp {
    private ExampleApp() {
    }

    public static void main(String[] args) throws Exception {
        new Main(ExampleApp.class).run(args);
    }
}
