package org.jsmarthost.core.archive.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A minimal S3-API client over {@link HttpClient}: PUT (optionally conditional, {@code If-None-Match: *}), GET,
 * HEAD, DELETE and ListObjectsV2, path-style addressing ({@code endpoint/bucket/key}), every request signed
 * with AWS Signature Version 4 (the payload hash is the real SHA-256 of the body, so the server checks the
 * bytes it stores). JDK only.
 */
public final class S3Client {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final URI endpoint;
    private final String region;
    private final String bucket;
    private final String accessKey;
    private final String secretKey;
    private final Clock clock;
    private final HttpClient http;

    /** One object of a listing. */
    public static final class ObjectInfo {
        public final String key;
        public final long size;
        public final Instant lastModified;

        ObjectInfo(String key, long size, Instant lastModified) {
            this.key = key;
            this.size = size;
            this.lastModified = lastModified;
        }
    }

    /** The server answered with an unexpected status. */
    public static final class S3Exception extends IOException {
        private static final long serialVersionUID = 1L;
        public final int status;

        S3Exception(String what, int status, String body) {
            super(what + ": HTTP " + status + (body.isEmpty() ? "" : " " + body.substring(0, Math.min(300, body.length()))));
            this.status = status;
        }
    }

    public S3Client(URI endpoint, String region, String bucket, String accessKey, String secretKey, Clock clock) {
        if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("S3 endpoint '" + endpoint + "' must be an http or https URL");
        }
        this.endpoint = endpoint;
        this.region = region;
        this.bucket = bucket;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
    }

    public String bucket() {
        return bucket;
    }

    /** Creates the bucket (200, or 409 if it exists already). */
    public void createBucket() throws IOException {
        HttpResponse<String> r = send("PUT", "", Map.of(), Map.of(), HttpRequest.BodyPublishers.noBody(), EMPTY_SHA256,
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && r.statusCode() != 409) {
            throw new S3Exception("create bucket " + bucket, r.statusCode(), r.body());
        }
    }

    /**
     * Stores a file under {@code key}; {@code sha256Hex} is the file's hash. With {@code ifAbsent} the write
     * only happens if no object has the key: returns false (HTTP 412) if one has.
     */
    public boolean put(String key, Path file, String sha256Hex, boolean ifAbsent) throws IOException {
        return put(key, HttpRequest.BodyPublishers.ofFile(file), sha256Hex, ifAbsent);
    }

    public boolean put(String key, byte[] body, boolean ifAbsent) throws IOException {
        return put(key, HttpRequest.BodyPublishers.ofByteArray(body), hex(sha256(body)), ifAbsent);
    }

    private boolean put(String key, HttpRequest.BodyPublisher body, String sha256Hex, boolean ifAbsent) throws IOException {
        Map<String, String> headers = ifAbsent ? Map.of("if-none-match", "*") : Map.of();
        HttpResponse<String> r = send("PUT", key, Map.of(), headers, body, sha256Hex, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 412 && ifAbsent) {
            return false;
        }
        if (r.statusCode() != 200) {
            throw new S3Exception("PUT " + key, r.statusCode(), r.body());
        }
        return true;
    }

    /** The object's bytes, streamed; {@link NoSuchFileException} if there is none. */
    public InputStream get(String key) throws IOException {
        HttpResponse<InputStream> r = send("GET", key, Map.of(), Map.of(), HttpRequest.BodyPublishers.noBody(), EMPTY_SHA256,
            HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 200) {
            return r.body();
        }
        String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        if (r.statusCode() == 404) {
            throw new NoSuchFileException("s3://" + bucket + "/" + key);
        }
        throw new S3Exception("GET " + key, r.statusCode(), body);
    }

    public byte[] getBytes(String key) throws IOException {
        try (InputStream in = get(key)) {
            return in.readAllBytes();
        }
    }

    public boolean exists(String key) throws IOException {
        HttpResponse<Void> r = send("HEAD", key, Map.of(), Map.of(), HttpRequest.BodyPublishers.noBody(), EMPTY_SHA256,
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw new S3Exception("HEAD " + key, r.statusCode(), "");
    }

    /** Deletes the object (a missing one is not an error). */
    public void delete(String key) throws IOException {
        HttpResponse<String> r = send("DELETE", key, Map.of(), Map.of(), HttpRequest.BodyPublishers.noBody(), EMPTY_SHA256,
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 204 && r.statusCode() != 200 && r.statusCode() != 404) {
            throw new S3Exception("DELETE " + key, r.statusCode(), r.body());
        }
    }

    /** Every object whose key starts with {@code prefix}, in key order (ListObjectsV2, all pages). */
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new TreeMap<>();
            q.put("list-type", "2");
            q.put("prefix", prefix);
            if (token != null) {
                q.put("continuation-token", token);
            }
            HttpResponse<byte[]> r = send("GET", "", q, Map.of(), HttpRequest.BodyPublishers.noBody(), EMPTY_SHA256,
                HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new S3Exception("LIST " + prefix, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
            }
            Document doc = parse(r.body());
            NodeList contents = doc.getElementsByTagName("Contents");
            for (int i = 0; i < contents.getLength(); i++) {
                Element c = (Element) contents.item(i);
                out.add(new ObjectInfo(text(c, "Key"), Long.parseLong(text(c, "Size")), Instant.parse(text(c, "LastModified"))));
            }
            token = "true".equals(text(doc.getDocumentElement(), "IsTruncated")) ? text(doc.getDocumentElement(), "NextContinuationToken") : null;
        } while (token != null);
        out.sort((a, b) -> a.key.compareTo(b.key));
        return out;
    }

    private static Document parse(byte[] xml) throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setNamespaceAware(false);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            throw new IOException("unreadable S3 listing: " + e.getMessage(), e);
        }
    }

    private static String text(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        return l.getLength() == 0 ? null : l.item(0).getTextContent();
    }

    private <T> HttpResponse<T> send(String method, String key, Map<String, String> query, Map<String, String> extraHeaders,
            HttpRequest.BodyPublisher body, String payloadHash, HttpResponse.BodyHandler<T> handler) throws IOException {
        String path = "/" + encode(bucket, false) + (key.isEmpty() ? "" : "/" + encode(key, true));
        String basePath = endpoint.getRawPath() == null || endpoint.getRawPath().equals("/") ? "" : endpoint.getRawPath().replaceAll("/$", "");
        String canonicalUri = basePath + path;
        StringBuilder qs = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(query).entrySet()) {
            if (qs.length() > 0) {
                qs.append('&');
            }
            qs.append(encode(e.getKey(), false)).append('=').append(encode(e.getValue(), false));
        }
        Instant now = clock.instant();
        String amzDate = AMZ_DATE.format(now);
        String day = amzDate.substring(0, 8);
        String host = endpoint.getHost() + (endpoint.getPort() > 0 ? ":" + endpoint.getPort() : "");
        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payloadHash);
        headers.put("x-amz-date", amzDate);
        for (Map.Entry<String, String> e : extraHeaders.entrySet()) {
            headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
        }
        StringBuilder canonicalHeaders = new StringBuilder();
        for (Map.Entry<String, String> e : headers.entrySet()) {
            canonicalHeaders.append(e.getKey()).append(':').append(e.getValue().trim()).append('\n');
        }
        String signedHeaders = String.join(";", headers.keySet());
        String canonicalRequest = method + "\n" + canonicalUri + "\n" + qs + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payloadHash;
        String scope = day + "/" + region + "/s3/aws4_request";
        String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] k = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), day);
        k = hmac(k, region);
        k = hmac(k, "s3");
        k = hmac(k, "aws4_request");
        String signature = hex(hmac(k, toSign));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.getScheme() + "://" + host + canonicalUri + (qs.length() > 0 ? "?" + qs : "")))
            .timeout(Duration.ofSeconds(60))
            .method(method, body)
            .header("x-amz-content-sha256", payloadHash)
            .header("x-amz-date", amzDate)
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope + ", SignedHeaders=" + signedHeaders
                + ", Signature=" + signature);
        for (Map.Entry<String, String> e : extraHeaders.entrySet()) {
            b.header(e.getKey(), e.getValue());
        }
        try {
            return http.send(b.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during " + method + " " + key, e);
        }
    }

    /** URI-encodes per SigV4: unreserved characters kept, everything else %XX; '/' kept in object keys. */
    static String encode(String s, boolean keepSlash) {
        String e = URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
        return keepSlash ? e.replace("%2F", "/") : e;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }
}
