/**
 * In-process emulators ("sandboxes") of vendors' asynchronous bulk export APIs, for demo mode, tests and
 * the benchmark.
 *
 * <p>Vendor-neutral parts: {@link io.bulkexport.sandbox.SandboxHttp} (loopback HTTP server, routing,
 * authentication guard, fault playing), {@link io.bulkexport.sandbox.SandboxExchange} (one request and its
 * answer), {@link io.bulkexport.sandbox.FaultQueue} and {@link io.bulkexport.sandbox.Fault},
 * {@link io.bulkexport.sandbox.RequestLog}, {@link io.bulkexport.sandbox.ExportContent} with its generated
 * ({@link io.bulkexport.sandbox.GeneratedExport}, {@link io.bulkexport.sandbox.RecordGenerator}) and stored
 * ({@link io.bulkexport.sandbox.StoredExport}) forms, and {@link io.bulkexport.sandbox.SandboxSettings}.
 *
 * <p>Vendor-specific parts: {@link io.bulkexport.sandbox.CoresignalSandbox} adds the Coresignal routes and
 * answers on top of those. A new vendor adds a class like it, reusing the rest.
 */
package io.bulkexport.sandbox;
