package org.jsmarthost.core.mime;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.mail.internet.ContentDisposition;
import javax.mail.internet.ContentType;
import javax.mail.internet.ParseException;

/**
 * One MIME entity located in the raw message by byte offsets. Only the scanner creates these; nothing
 * here holds body bytes.
 */
final class RawPart {
    final RawPart parent;
    final String path;          // "" for the message itself, "1", "1.2", ...
    final long start;           // first byte of the header block
    long headerEnd = -1;        // first byte of the blank line ending the headers (== bodyStart when none)
    long bodyStart = -1;        // first byte of the body
    long end = -1;              // end of body (exclusive), excluding the delimiter's line end
    boolean hasBlankLine;
    boolean delimEolMissing;    // the next boundary line follows the body without a line end of its own
    long firstDelimStart = -1;  // multipart: offset of the first boundary line
    boolean closed;             // multipart: close delimiter seen
    final List<RawPart> children = new ArrayList<>();
    List<HeaderField> headers = List.of();
    String rawHeaderText = "";  // ISO-8859-1 view of [start, headerEnd)

    ContentType contentType;    // null when missing or invalid
    boolean contentTypeInvalid;
    String baseType = "text/plain";
    String cte = "7bit";
    boolean cteExplicit;
    String disposition = "";    // lower-case, "" when absent
    boolean hasFilename;
    String boundary;            // multipart only

    RawPart(RawPart parent, String path, long start) {
        this.parent = parent;
        this.path = path;
        this.start = start;
    }

    String displayPath() {
        return path.isEmpty() ? "1" : path;
    }

    boolean isMultipart() {
        return boundary != null;
    }

    String param(String name) {
        return contentType == null ? null : contentType.getParameter(name);
    }

    HeaderField header(String lowerName) {
        for (HeaderField f : headers) {
            if (f.lowerName.equals(lowerName)) {
                return f;
            }
        }
        return null;
    }

    void parseHeaders(String text) {
        rawHeaderText = text;
        headers = HeaderField.split(text);
        boolean digest = parent != null && "multipart/digest".equals(parent.baseType);
        baseType = digest ? "message/rfc822" : "text/plain";
        HeaderField ct = header("content-type");
        if (ct != null) {
            try {
                contentType = new ContentType(ct.value().trim());
                baseType = contentType.getBaseType().toLowerCase(Locale.ROOT);
            } catch (ParseException | RuntimeException e) {
                contentTypeInvalid = true;
                baseType = "application/octet-stream";
            }
        }
        if (baseType.startsWith("multipart/")) {
            String b = param("boundary");
            if (b != null && !b.isEmpty() && b.length() <= 200) {
                boundary = b;
            }
        }
        HeaderField te = header("content-transfer-encoding");
        if (te != null) {
            cte = te.value().trim().toLowerCase(Locale.ROOT);
            cteExplicit = true;
        }
        HeaderField cd = header("content-disposition");
        if (cd != null) {
            try {
                ContentDisposition d = new ContentDisposition(cd.value().trim());
                disposition = d.getDisposition() == null ? "" : d.getDisposition().toLowerCase(Locale.ROOT);
                hasFilename = d.getParameter("filename") != null;
            } catch (ParseException | RuntimeException e) {
                String v = cd.value().trim().toLowerCase(Locale.ROOT);
                disposition = v.startsWith("attachment") ? "attachment" : "unparsed";
                hasFilename = v.contains("filename");
            }
        }
        if (param("name") != null) {
            hasFilename = true;
        }
    }

    /** Attachment by disposition or because it carries a file name. */
    boolean isAttachment() {
        return "attachment".equals(disposition) || hasFilename;
    }

    @Override
    public String toString() {
        return displayPath() + " " + baseType + " [" + start + "," + bodyStart + "," + end + ")";
    }
}
