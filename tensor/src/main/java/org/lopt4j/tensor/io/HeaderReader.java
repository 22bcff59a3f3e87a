package org.lopt4j.tensor.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.io.SafeTensors.Entry;
import org.lopt4j.tensor.io.SafeTensors.Header;

/**
 * Reads and validates a safetensors header with the reference implementation's rules (and a few stricter ones):
 * nothing of a file is trusted until every entry is well-typed and the tensors tile the data section exactly.
 */
final class HeaderReader {
    /** Largest header accepted (the reference implementation's limit). */
    static final long MAX_HEADER = 100_000_000L;

    private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");

    private final Path file;

    private HeaderReader(Path file) { this.file = file; }

    /** The validated header of the open file {@code ch}; reads the header bytes only, never the data. */
    static Header read(Path file, FileChannel ch) throws IOException {
        HeaderReader r = new HeaderReader(file);
        long size = ch.size();
        if (size < 8) throw r.fail("file is " + size + " bytes, shorter than the 8-byte header length");
        long n = readFully(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 0 || n > MAX_HEADER) {
            throw r.fail("header length " + Long.toUnsignedString(n) + " is larger than the limit of " + MAX_HEADER + " bytes");
        }
        if (n > size - 8) throw r.fail("header length " + n + " is larger than the " + (size - 8) + " bytes after it (truncated?)");
        return r.parse(readFully(ch, 8, (int) n), size);
    }

    private static ByteBuffer readFully(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(n);
        while (bb.hasRemaining()) {
            if (ch.read(bb, at + bb.position()) < 0) throw new EOFException("file shrank while reading its header");
        }
        return bb.flip();
    }

    private SafeTensorsException fail(String message) { return new SafeTensorsException(file, message); }

    private SafeTensorsException fail(String tensor, String message) { return fail("tensor '" + tensor + "': " + message); }

    private Header parse(ByteBuffer hb, long size) throws SafeTensorsException {
        long n = hb.remaining();
        Object root;
        try {
            root = Json.parse(utf8(hb));
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file, "header: " + e.getMessage() + " (the header starts at file offset 8)", e);
        }
        if (!(root instanceof Map<?, ?> top)) throw fail("header is not a JSON object");
        Map<String, String> meta = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals("__metadata__")) {
                if (!(kv.getValue() instanceof Map<?, ?> m)) throw fail("__metadata__ is not a JSON object");
                for (Map.Entry<?, ?> mk : m.entrySet()) {
                    if (!(mk.getValue() instanceof String v)) throw fail("__metadata__ value of '" + mk.getKey() + "' is not a string");
                    meta.put((String) mk.getKey(), v);
                }
            } else {
                entries.add(entry(name, kv.getValue()));
            }
        }
        long data = size - 8 - n;
        checkTiling(entries, data);
        return new Header(Collections.unmodifiableList(entries), Collections.unmodifiableMap(meta), 8 + n, data);
    }

    private String utf8(ByteBuffer in) throws SafeTensorsException {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder();   // reports malformed input by default
        CharBuffer out = CharBuffer.allocate(in.remaining());
        CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) r = dec.flush(out);
        if (r.isError()) throw fail("header is not valid UTF-8 at byte " + in.position() + " of the header");
        return out.flip().toString();
    }

    /** The tensors, sorted by (begin, end), must cover [0, data) with no hole and no overlap. */
    private void checkTiling(List<Entry> entries, long data) throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin() < at) throw fail(e.name(), "bytes " + span(e) + " overlap tensor '" + prev.name() + "' (" + span(prev) + ")");
            if (e.begin() > at) throw fail(e.name(), "hole in the data section: bytes [" + at + ", " + e.begin() + ") belong to no tensor");
            if (e.end() > data) {
                throw fail(e.name(), "ends at data byte " + e.end() + " but the data section has only " + data + " bytes (truncated?)");
            }
            at = e.end();
            prev = e;
        }
        if (at != data) throw fail((data - at) + " trailing bytes after the last tensor's data (data section " + data + " bytes)");
    }

    private static String span(Entry e) { return "[" + e.begin() + ", " + e.end() + ")"; }

    private Entry entry(String name, Object v) throws SafeTensorsException {
        if (!(v instanceof Map<?, ?> m)) throw fail(name, "entry is not a JSON object");
        for (Object k : m.keySet()) if (!FIELDS.contains(k)) throw fail(name, "unknown field '" + k + "' (expected " + FIELDS + ")");
        if (!(m.get("dtype") instanceof String dt)) throw fail(name, "dtype is missing or not a string");
        StoredDType dtype = StoredDType.named(dt);
        if (dtype == null) throw fail(name, "unsupported dtype " + dt + " (readable: F32, F64, I32, F16, BF16, I64)");
        if (!(m.get("shape") instanceof List<?> sh)) throw fail(name, "shape is missing or not an array");
        int[] dims = new int[sh.size()];
        for (int k = 0; k < dims.length; k++) {
            if (!(sh.get(k) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                Object d = sh.get(k);
                throw fail(name, "shape dimension " + k + " = " + (d instanceof String str ? Json.quote(str) : d)
                        + " is not an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            dims[k] = (int) (long) d;
        }
        Shape shape = Shape.of(dims);
        long numel = 1;
        for (int d : dims) numel = Math.min(numel * d, Integer.MAX_VALUE + 1L);   // < 2^62 each step: no overflow
        if (numel > Integer.MAX_VALUE) throw fail(name, "shape " + shape + " has more than " + Integer.MAX_VALUE + " elements");
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long b) || !(off.get(1) instanceof Long e)) {
            throw fail(name, "data_offsets must be two integers [begin, end], got " + m.get("data_offsets"));
        }
        if (b < 0 || e < b) throw fail(name, "data_offsets [" + b + ", " + e + "] are not 0 <= begin <= end");
        long want = numel * dtype.byteSize();
        if (e - b != want) {
            throw fail(name, "data_offsets [" + b + ", " + e + "] span " + (e - b) + " bytes, but shape " + shape + " of " + dt
                    + " needs " + want);
        }
        return new Entry(name, dtype, shape, b, e);
    }
}
