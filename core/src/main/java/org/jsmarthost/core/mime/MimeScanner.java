package org.jsmarthost.core.mime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Single streaming pass over the raw message that records every entity's offsets. Memory use is
 * independent of the message size: lines are not kept, only the first bytes of each line (enough to
 * recognise a boundary) and, per entity, its header block.
 */
final class MimeScanner {
    static final int MAX_HEADER_BLOCK = 1 << 20;
    static final int MAX_DEPTH = 40;
    private static final int PREFIX = 256;

    /** The structure is not usable. */
    static final class MimeFormatException extends Exception {
        private static final long serialVersionUID = 1L;

        MimeFormatException(String msg) {
            super(msg);
        }
    }

    private static final class Ctx {
        final RawPart multipart;
        final byte[] delim;
        RawPart current;

        Ctx(RawPart multipart) {
            this.multipart = multipart;
            this.delim = ("--" + multipart.boundary).getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private final RawSource src;
    private final List<Ctx> stack = new ArrayList<>();
    private RawPart inHeaders;
    private boolean sawLf;
    private boolean sawCrLf;

    // current line
    private final byte[] prefix = new byte[PREFIX];
    private int prefixLen;
    private long lineStart;
    private long contentLen;
    private int termLen;

    private MimeScanner(RawSource src) {
        this.src = src;
    }

    static final class Result {
        final RawPart root;
        final byte[] eol;

        Result(RawPart root, byte[] eol) {
            this.root = root;
            this.eol = eol;
        }
    }

    static Result scan(RawSource src) throws IOException, MimeFormatException {
        MimeScanner s = new MimeScanner(src);
        RawPart root = s.run();
        byte[] eol = s.sawCrLf || !s.sawLf ? new byte[] {'\r', '\n'} : new byte[] {'\n'};
        return new Result(root, eol);
    }

    private RawPart run() throws IOException, MimeFormatException {
        RawPart root = new RawPart(null, "", 0);
        inHeaders = root;
        int prevTerm = 0;
        long size = src.size();
        byte[] whole = src.array();
        // an array source is scanned where it lies (the whole message is the buffer, nothing to read); a file is read
        // through a buffer of at most 64 KiB (not 64 KiB for every 5 KB message)
        try (InputStream in = whole != null ? InputStream.nullInputStream() : src.open(0, size)) {
            byte[] buf = whole != null ? whole : new byte[(int) Math.max(1, Math.min(1 << 16, size))];
            int bufLen = whole != null ? src.arrayOffset() + (int) size : 0;
            int bufPos = whole != null ? src.arrayOffset() : 0;
            long pos = 0;
            while (pos < size) {
                if (stack.isEmpty() && inHeaders == null) {
                    break; // the body of a part that is not a multipart, outside any multipart: no line can change anything
                }
                // read one line: the bytes up to the next LF are found first, then taken as one run
                lineStart = pos;
                prefixLen = 0;
                contentLen = 0;
                termLen = 0;
                int prev = -1;
                while (true) {
                    if (bufPos == bufLen) {
                        bufLen = in.read(buf, 0, buf.length);
                        bufPos = 0;
                        if (bufLen <= 0) {
                            bufLen = 0;
                            pos = size; // source shorter than announced: stop
                            break;
                        }
                    }
                    int limit = (int) Math.min(bufLen, bufPos + (size - pos));
                    int lf = bufPos;
                    while (lf < limit && buf[lf] != '\n') {
                        lf++;
                    }
                    int n = lf - bufPos;
                    if (n > 0) {
                        int copy = Math.min(n, PREFIX - prefixLen);
                        if (copy > 0) {
                            System.arraycopy(buf, bufPos, prefix, prefixLen, copy);
                            prefixLen += copy;
                        }
                        contentLen += n;
                        prev = buf[lf - 1] & 0xff;
                        pos += n;
                        bufPos = lf;
                    }
                    if (lf < limit) {
                        bufPos++;
                        pos++;
                        if (prev == '\r') {
                            termLen = 2;
                            contentLen--;
                            if (prefixLen > contentLen) {
                                prefixLen = (int) contentLen;
                            }
                            if (!sawCrLf && !sawLf) {
                                sawCrLf = true;
                            }
                        } else {
                            termLen = 1;
                            if (!sawCrLf && !sawLf) {
                                sawLf = true;
                            }
                        }
                        break;
                    }
                    if (pos >= size) {
                        break;
                    }
                }
                line(prevTerm);
                prevTerm = termLen;
            }
        }
        // end of input
        if (inHeaders != null) {
            finishHeaders(inHeaders, size, size, false);
            inHeaders = null;
        }
        for (int i = stack.size() - 1; i >= 0; i--) {
            Ctx c = stack.get(i);
            if (c.current != null) {
                c.current.end = Math.max(c.current.bodyStart, size);
            }
            c.multipart.end = size;
        }
        stack.clear();
        root.end = size;
        return root;
    }

    private void line(int prevTerm) throws IOException, MimeFormatException {
        if (!stack.isEmpty() && prefixLen >= 2 && prefix[0] == '-' && prefix[1] == '-' && contentLen <= PREFIX) {
            for (int d = stack.size() - 1; d >= 0; d--) {
                int kind = match(stack.get(d).delim);
                if (kind != 0) {
                    boundary(d, kind == 2, prevTerm);
                    return;
                }
            }
        }
        if (inHeaders != null) {
            if (contentLen == 0) {
                finishHeaders(inHeaders, lineStart, lineStart + termLen, true);
                inHeaders = null;
            } else if (lineStart - inHeaders.start > MAX_HEADER_BLOCK) {
                throw new MimeFormatException("header block of part " + inHeaders.displayPath() + " exceeds "
                        + MAX_HEADER_BLOCK + " bytes");
            }
        }
    }

    /** 0 = no, 1 = delimiter, 2 = close delimiter. */
    private int match(byte[] delim) {
        if (prefixLen < delim.length) {
            return 0;
        }
        for (int i = 0; i < delim.length; i++) {
            if (prefix[i] != delim[i]) {
                return 0;
            }
        }
        int i = delim.length;
        int kind = 1;
        if (i + 1 < prefixLen && prefix[i] == '-' && prefix[i + 1] == '-') {
            kind = 2;
            i += 2;
        }
        for (; i < prefixLen; i++) {
            if (prefix[i] != ' ' && prefix[i] != '\t') {
                return 0;
            }
        }
        return kind;
    }

    private void boundary(int depth, boolean close, int prevTerm) throws IOException, MimeFormatException {
        long contentEnd = lineStart - prevTerm;
        // contexts nested deeper than the matched one end here (malformed but tolerated)
        while (stack.size() - 1 > depth) {
            Ctx c = stack.remove(stack.size() - 1);
            if (inHeaders != null) {
                finishHeaders(inHeaders, lineStart, lineStart, false);
                inHeaders = null;
            }
            endPart(c.current, contentEnd);
            c.current = null;
        }
        Ctx ctx = stack.get(depth);
        if (inHeaders != null) {
            finishHeaders(inHeaders, lineStart, lineStart, false);
            inHeaders = null;
        }
        if (ctx.current != null) {
            endPart(ctx.current, contentEnd);
            ctx.current = null;
        }
        if (ctx.multipart.firstDelimStart < 0) {
            ctx.multipart.firstDelimStart = lineStart;
        }
        if (close) {
            ctx.multipart.closed = true;
            stack.remove(depth);
        } else {
            RawPart mp = ctx.multipart;
            String path = (mp.path.isEmpty() ? "" : mp.path + ".") + (mp.children.size() + 1);
            RawPart child = new RawPart(mp, path, lineStart + contentLen + termLen);
            mp.children.add(child);
            ctx.current = child;
            inHeaders = child;
        }
    }

    private void endPart(RawPart p, long contentEnd) {
        if (p == null) {
            return;
        }
        if (contentEnd < p.bodyStart) {
            p.end = p.bodyStart;
            p.delimEolMissing = true;
        } else {
            p.end = contentEnd;
        }
    }

    private void finishHeaders(RawPart p, long headerEnd, long bodyStart, boolean blank)
            throws IOException, MimeFormatException {
        if (headerEnd - p.start > MAX_HEADER_BLOCK) {
            throw new MimeFormatException("header block of part " + p.displayPath() + " exceeds " + MAX_HEADER_BLOCK + " bytes");
        }
        p.headerEnd = headerEnd;
        p.bodyStart = bodyStart;
        p.hasBlankLine = blank;
        String text = src.text(p.start, headerEnd, StandardCharsets.ISO_8859_1);
        p.parseHeaders(text);
        if (p.isMultipart()) {
            if (stack.size() >= MAX_DEPTH) {
                throw new MimeFormatException("multipart nesting deeper than " + MAX_DEPTH);
            }
            stack.add(new Ctx(p));
        }
    }
}
