package org.lopt4j.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Reads and writes safetensors files: an 8-byte little-endian header length, a JSON header (name → dtype, shape,
 * data_offsets; optional {@code __metadata__}), then the raw little-endian data, fully covered by the tensors.
 * Reads go through a memory map and validate everything before any tensor is returned; writes are atomic.
 */
public final class SafeTensors {
    /** Largest header accepted (the reference implementation's limit). */
    static final long MAX_HEADER = 100_000_000L;

    private SafeTensors() {}

    /** One tensor's header entry. */
    public record Entry(String name, DType dtype, Shape shape, long begin, long end) {}

    /** A parsed header: entries in file order of their data, and the metadata. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {
        public Entry entry(String name) {
            for (Entry e : entries) if (e.name.equals(name)) return e;
            return null;
        }
    }

    /** A whole file: tensors in header order and metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    // ------------------------------------------------------------------ reading

    /** Parses and validates the header without reading tensor data. */
    public static Header header(Path file) throws IOException {
        try (FileChannel ch = open(file); Arena arena = Arena.ofConfined()) {
            return parse(file, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena), ch.size());
        }
    }

    /** Reads every tensor into {@code backend}. */
    public static Contents read(Path file, Backend backend) throws IOException {
        try (FileChannel ch = open(file); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            MemorySegment map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Header h = parse(file, map, size);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries) out.put(e.name, load(map, h.dataStart, e, backend));
            return new Contents(out, h.metadata);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new SafeTensorsException(file, "no such file");
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private static Tensor load(MemorySegment map, long dataStart, Entry e, Backend b) {
        MemorySegment src = map.asSlice(dataStart + e.begin, e.end - e.begin);
        int n = e.shape.numel();
        int[] dims = e.shape.dims();
        return switch (e.dtype) {
            case F32 -> {
                float[] a = new float[n];
                MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, n);
                yield Tensor.of(b, a, dims);
            }
            case F64 -> {
                double[] a = new double[n];
                MemorySegment.copy(src, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, n);
                yield Tensor.of(b, a, dims);
            }
            case I32 -> {
                int[] a = new int[n];
                MemorySegment.copy(src, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, n);
                yield Tensor.of(b, a, dims);
            }
        };
    }

    private static Header parse(Path file, MemorySegment map, long size) throws SafeTensorsException {
        if (size < 8) throw new SafeTensorsException(file, "file is " + size + " bytes, shorter than the 8-byte header length");
        long n = map.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER) throw new SafeTensorsException(file, "header length " + n + " is not in [2, " + MAX_HEADER + "]");
        if (8 + n > size) throw new SafeTensorsException(file, "truncated: header length " + n + " exceeds the file's " + (size - 8) + " remaining bytes");
        byte[] hb = map.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(hb)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "header is not valid UTF-8", e);
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file, e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> top)) throw new SafeTensorsException(file, "header is not a JSON object");
        Map<String, String> meta = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals("__metadata__")) {
                if (!(kv.getValue() instanceof Map<?, ?> m)) throw new SafeTensorsException(file, "__metadata__ is not an object");
                for (Map.Entry<?, ?> mk : m.entrySet()) {
                    if (!(mk.getValue() instanceof String v)) throw new SafeTensorsException(file, "metadata value of '" + mk.getKey() + "' is not a string");
                    meta.put((String) mk.getKey(), v);
                }
                continue;
            }
            entries.add(entry(file, name, kv.getValue()));
        }
        long data = size - 8 - n;
        entries.sort((a, b) -> Long.compare(a.begin, b.begin));
        long at = 0;
        for (Entry e : entries) {
            if (e.begin != at) {
                throw new SafeTensorsException(file, e.begin < at ? "tensor '" + e.name + "' overlaps the previous tensor"
                        : "hole in the data section before tensor '" + e.name + "' (bytes " + at + ".." + e.begin + ")");
            }
            if (e.end > data) throw new SafeTensorsException(file, "truncated: tensor '" + e.name + "' ends at byte " + e.end + " of a " + data + "-byte data section");
            at = e.end;
        }
        if (at != data) throw new SafeTensorsException(file, (data - at) + " trailing bytes after the last tensor");
        return new Header(entries, meta, 8 + n);
    }

    private static Entry entry(Path file, String name, Object v) throws SafeTensorsException {
        if (!(v instanceof Map<?, ?> m)) throw new SafeTensorsException(file, "tensor '" + name + "': entry is not an object");
        if (!(m.get("dtype") instanceof String dt)) throw new SafeTensorsException(file, "tensor '" + name + "': missing dtype");
        DType dtype = switch (dt) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "I32" -> DType.I32;
            default -> throw new SafeTensorsException(file, "tensor '" + name + "': unknown dtype " + dt + " (supported: F32, F64, I32)");
        };
        if (!(m.get("shape") instanceof List<?> sh)) throw new SafeTensorsException(file, "tensor '" + name + "': missing shape");
        int[] dims = new int[sh.size()];
        for (int k = 0; k < dims.length; k++) {
            if (!(sh.get(k) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, "tensor '" + name + "': bad shape " + sh);
            }
            dims[k] = (int) (long) d;
        }
        Shape shape;
        try {
            shape = Shape.of(dims);
            shape.numel();
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(file, "tensor '" + name + "': shape " + sh + " has too many elements");
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long b) || !(off.get(1) instanceof Long e)) {
            throw new SafeTensorsException(file, "tensor '" + name + "': data_offsets must be two integers");
        }
        if (b < 0 || e < b) throw new SafeTensorsException(file, "tensor '" + name + "': data_offsets [" + b + ", " + e + "] are not ordered");
        long want = (long) shape.numel() * dtype.byteSize();
        if (e - b != want) {
            throw new SafeTensorsException(file, "tensor '" + name + "': " + (e - b) + " bytes for shape " + shape + " " + dtype + " (expected " + want + ")");
        }
        for (Object k : m.keySet()) {
            if (!k.equals("dtype") && !k.equals("shape") && !k.equals("data_offsets")) {
                throw new SafeTensorsException(file, "tensor '" + name + "': unknown field '" + k + "'");
            }
        }
        return new Entry(name, dtype, shape, b, e);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} (in the map's order) and {@code metadata} atomically: a temporary file in the same
     * directory, forced to disk, then renamed over {@code file}. On failure the old file is untouched.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder h = new StringBuilder("{");
        boolean first = true;
        if (!metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            boolean f2 = true;
            for (Map.Entry<String, String> kv : metadata.entrySet()) {
                if (!f2) h.append(',');
                h.append(Json.quote(kv.getKey())).append(':').append(Json.quote(kv.getValue()));
                f2 = false;
            }
            h.append('}');
            first = false;
        }
        long at = 0;
        for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
            if (kv.getKey().equals("__metadata__")) throw new SafeTensorsException(file, "a tensor cannot be called __metadata__");
            Tensor t = kv.getValue();
            long bytes = (long) t.numel() * t.dtype().byteSize();
            if (!first) h.append(',');
            first = false;
            h.append(Json.quote(kv.getKey())).append(":{\"dtype\":\"").append(t.dtype().safetensorsName())
                    .append("\",\"shape\":").append(java.util.Arrays.toString(t.shape().dims()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(at).append(',').append(at + bytes).append("]}");
            at += bytes;
        }
        h.append('}');
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (hb.length + 7) / 8 * 8;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 Arena arena = Arena.ofConfined()) {
                long total = 8 + padded + at;
                MemorySegment out = arena.allocate(Math.max(1, Math.min(total, 1 << 20)));
                ByteSink sink = new ByteSink(ch, out);
                sink.putLong(padded);
                sink.putBytes(hb);
                for (int k = hb.length; k < padded; k++) sink.putByte((byte) ' ');
                for (Tensor t : tensors.values()) sink.putTensor(t);
                sink.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the rename itself is still atomic
        }
    }

    // ------------------------------------------------------------------ slabs

    /** Writes each slab's tensors as {@code <role>/<tensor name>}. */
    public static void writeSlabs(Path file, Map<String, Slab> roles, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Map.Entry<String, Slab> r : roles.entrySet()) {
            SlabLayout l = r.getValue().layout();
            for (int i = 0; i < l.count(); i++) all.put(r.getKey() + "/" + l.names().get(i), r.getValue().tensor(i));
        }
        write(file, all, metadata);
    }

    /**
     * Reads role {@code role} of {@code contents} into a new slab with layout {@code expected}, checking names,
     * shapes and dtype and listing every mismatch.
     */
    public static Slab slab(Path file, Contents contents, String role, SlabLayout expected, DType dtype, Backend b) throws SafeTensorsException {
        List<String> problems = new ArrayList<>();
        String prefix = role + "/";
        for (int i = 0; i < expected.count(); i++) {
            Tensor t = contents.tensors().get(prefix + expected.names().get(i));
            if (t == null) problems.add("missing tensor '" + prefix + expected.names().get(i) + "'");
            else if (!t.shape().equals(expected.shape(i))) problems.add("'" + prefix + expected.names().get(i) + "' has shape " + t.shape() + ", expected " + expected.shape(i));
            else if (t.dtype() != dtype) problems.add("'" + prefix + expected.names().get(i) + "' has dtype " + t.dtype() + ", expected " + dtype);
        }
        for (String k : contents.tensors().keySet()) {
            if (k.startsWith(prefix) && !expected.names().contains(k.substring(prefix.length()))) problems.add("unexpected tensor '" + k + "'");
        }
        if (!problems.isEmpty()) throw new SafeTensorsException(file, "role '" + role + "' does not match the layout: " + String.join("; ", problems));
        Slab s = Slab.zeros(b, dtype, expected);
        for (int i = 0; i < expected.count(); i++) s.tensor(i).assign(contents.tensors().get(prefix + expected.names().get(i)).to(b));
        return s;
    }
}
