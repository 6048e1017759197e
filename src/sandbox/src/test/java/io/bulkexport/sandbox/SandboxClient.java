package io.bulkexport.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** A minimal Coresignal client for the tests, on java.net.http. */
final class SandboxClient {

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String baseUrl;
    private final String apiKey;

    SandboxClient(String baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    SandboxClient withKey(String key) {
        return new SandboxClient(baseUrl, key);
    }

    HttpResponse<String> submitJson(String dataset, String method, String json) throws Exception {
        return http.send(request("/v2/data_requests/" + dataset + "/" + method)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> submitIdFile(String dataset, String csv) throws Exception {
        String boundary = "----sandbox-test-boundary";
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"data_format\"\r\n\r\njson\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"ids_file\"; filename=\"ids.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + csv + "\r\n"
                + "--" + boundary + "--\r\n";
        return http.send(request("/v2/data_requests/" + dataset + "/id_file")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> status(String requestId) throws Exception {
        return http.send(request("/v2/data_requests/" + requestId + "/files").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> download(String requestId, String fileName) throws Exception {
        return http.send(downloadRequest(requestId, fileName), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<InputStream> downloadStream(String requestId, String fileName) throws Exception {
        return http.send(downloadRequest(requestId, fileName), HttpResponse.BodyHandlers.ofInputStream());
    }

    HttpRequest downloadRequest(String requestId, String fileName) {
        return request("/v2/data_requests/" + requestId + "/files/" + fileName).GET().build();
    }

    /** Polls until the request lists its files (at most 5 s). */
    List<String> awaitFiles(String requestId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> status = status(requestId);
            if (status.statusCode() == 200) {
                List<String> files = new ArrayList<>();
                json(status.body()).get("data_request_files").forEach(node -> files.add(node.asText()));
                if (!files.isEmpty()) {
                    return files;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("request " + requestId + " never became ready");
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10));
        return apiKey == null ? builder : builder.header("apikey", apiKey);
    }

    static JsonNode json(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String requestId(HttpResponse<String> submitted) {
        return json(submitted.body()).get("request_id").asText();
    }

    static List<String> gunzipLines(byte[] gzip) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(new ByteArrayInputStream(gzip)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The "id" of a record line, or null if the line is not a JSON object. */
    static Long recordId(String line) {
        try {
            JsonNode node = Json.MAPPER.readTree(line);
            return node.isObject() ? node.get("id").longValue() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
