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
 * <p>{@link io.bulkexport.sandbox.PresignedStorage} is an S3-like download host for vendors whose result files sit
 * behind presigned URLs: it signs URLs that expire and refuses requests that carry an {@code Authorization} header.
 *
 * <p>Vendor-specific parts: {@link io.bulkexport.sandbox.CoresignalSandbox},
 * {@link io.bulkexport.sandbox.DatafinitiSandbox} (API v4 and v3, files on a {@code PresignedStorage}) and
 * {@link io.bulkexport.sandbox.DataRequestsSandbox} (OAuth client credentials, client-made request ids) add their
 * routes and answers on top of those; {@link io.bulkexport.sandbox.Sandboxes} starts them all for demo mode. A new
 * vendor adds a class like them, reusing the rest, and a line in {@code Sandboxes}.
 */
package io.bulkexport.sandbox;
