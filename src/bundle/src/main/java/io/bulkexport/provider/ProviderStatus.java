package io.bulkexport.provider;

import io.bulkexport.run.RunExchange;
import org.apache.camel.Exchange;

/**
 * The status routes' one bean for a declared status mapping: applies the {@code status} of the provider the exchange
 * is about (exchange property {@code provider}), so a provider's routes need not name it again.
 */
public class ProviderStatus {
    /** Sets {@code vendorStatus}, {@code vendorMessage} and {@code notBefore} from the answer in the body. */
    public void apply(Exchange exchange) {
        String provider = exchange.getProperty(RunExchange.PROVIDER, String.class);
        ProviderSpec spec = provider == null ? null
                : exchange.getContext().getRegistry().lookupByNameAndType(provider, ProviderSpec.class);
        if (spec == null || spec.status() == null) {
            throw new IllegalStateException("provider " + provider + " declares no status mapping (status: in "
                    + provider + ProviderDeclarations.SUFFIX + "), but its status route asks for one");
        }
        spec.status().apply(exchange);
    }
}
