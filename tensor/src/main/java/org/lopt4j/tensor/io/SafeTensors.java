package org.lopt4j.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * Reads and writes safetensors files: an 8-byte little-endian header length N, N bytes of UTF-8 JSON (name → dtype,
 * shape, data_offsets; optional {@code __metadata__} of strings), then the raw little-endian data, which the tensors
 * must cover exactly. Reads validate the whole header before any tensor is built and copy the data through a memory
 * map; writes are atomic, optionally with a checksum of the data that reads verify ({@link DataChecksum}). Every
 * failure is a {@link SafeTensorsException} naming the file and, where one is at fault, the tensor.
 */
public final class SafeTensors {
    /** Most problems listed by one slab mismatch message. */
    private static final int MAX_PROBLEMS = 20;

    private SafeTensors() {}

    /** One tensor's header entry; {@code begin} and {@code end} are byte offsets into the data section. */
    public record Entry(String name, StoredDType stored, Shape shape, long begin, long end) {
        /** The dtype the tensor is read into. */
        public DType dtype() { return stored.loadsAs(); }
    }

    /** A validated header: entries in header order, the metadata, and where the data section starts and how long it is. */
    public record Header(List<Entry> entries, Map<String, String> metadata, long dataStart, long dataBytes) {
        /** The entry called {@code name}, or null. */
        public Entry entry(String name) {
            for (Entry e : entries) if (e.name.equals(name)) return e;
            return null;
        }
    }

    /** A whole file: tensors in header order, and the metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    // ------------------------------------------------------------------ reading

    /** Reads and validates the header only (names, dtypes, shapes, offsets, metadata); no tensor data is read. */
    public static Header header(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return HeaderReader.read(file, ch);
        }
    }

    /** Reads every tensor into {@code backend}, after validating the header against the file's size and the data against any checksum. */
    public static Contents read(Path file, Backend backend) throws IOException {
        try (FileChannel ch = open(file); Arena arena = Arena.ofConfined()) {
            Header h = HeaderReader.read(file, ch);
            MemorySegment data = h.dataBytes() == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, h.dataStart(), h.dataBytes(), arena);
            DataChecksum.verify(file, h.metadata(), data);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Entry e : h.entries()) {
                if (!backend.supports(e.dtype())) {
                    throw new SafeTensorsException(file, "tensor '" + e.name() + "': backend " + backend.name() + " cannot hold " + e.dtype());
                }
                try {
                    out.put(e.name(), e.stored().decode(data.asSlice(e.begin(), e.end() - e.begin()), e.shape(), backend));
                } catch (ArithmeticException x) {
                    throw new SafeTensorsException(file, "tensor '" + e.name() + "' (" + e.stored() + "): " + x.getMessage(), x);
                }
            }
            return new Contents(Collections.unmodifiableMap(out), h.metadata());
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (!Files.exists(file)) throw new SafeTensorsException(file, "no such file");
        if (!Files.isRegularFile(file)) throw new SafeTensorsException(file, "not a regular file");
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code tensors} and {@code metadata} atomically: a temporary file in the same directory, forced to disk,
     * renamed over {@code file}, then the directory forced where the file system allows. On any failure the temporary
     * file is removed and an existing {@code file} is left as it was. Header keys keep the map's iteration order
     * ({@code __metadata__} first, as the Rust writer puts it); the data section holds 8-byte types before 4-byte ones,
     * keeping the map's order within each size, so every tensor's data is aligned to its element size (the Rust
     * writer's rule). Tensors may have any strides and live on any backend.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException { write(file, tensors, metadata, false); }

    /** {@link #write(Path, Map, Map)}, with {@code checksum} adding the data section's {@link DataChecksum}, which reads verify. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, boolean checksum) throws IOException {
        List<Map.Entry<String, Tensor>> order = dataOrder(file, tensors);
        byte[] header = headerBytes(file, tensors, order, checksum ? DataChecksum.withPlaceholder(metadata) : metadata);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteSink sink = new ByteSink(ch);
                sink.putLong(header.length);
                sink.putBytes(header);
                for (Map.Entry<String, Tensor> kv : order) sink.putTensor(kv.getValue());
                sink.flush();
                if (checksum) DataChecksum.fill(ch, 8L + header.length);
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException x) {
                e.addSuppressed(x);
            }
            throw e;
        }
        forceDirectory(dir);
    }

    /** Checks the names and returns the tensors in data-section order: larger elements first, map order within a size. */
    private static List<Map.Entry<String, Tensor>> dataOrder(Path file, Map<String, Tensor> tensors) throws SafeTensorsException {
        for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
            if (kv.getKey().equals("__metadata__")) throw new SafeTensorsException(file, "a tensor cannot be called __metadata__");
            if (kv.getValue() == null) throw new SafeTensorsException(file, "tensor '" + kv.getKey() + "' is null");
        }
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        order.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> e.getValue().dtype().byteSize()).reversed());   // stable
        return order;
    }

    /** The UTF-8 JSON header, padded with spaces to a multiple of 8 bytes as the Rust writer does. */
    private static byte[] headerBytes(Path file, Map<String, Tensor> tensors, List<Map.Entry<String, Tensor>> order,
            Map<String, String> metadata) throws SafeTensorsException {
        Map<String, Long> begin = new HashMap<>();
        long at = 0;
        for (Map.Entry<String, Tensor> kv : order) {
            begin.put(kv.getKey(), at);
            at += (long) kv.getValue().numel() * kv.getValue().dtype().byteSize();
        }
        StringBuilder h = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            for (Map.Entry<String, String> kv : metadata.entrySet()) {
                h.append(Json.quote(kv.getKey())).append(':').append(Json.quote(kv.getValue())).append(',');
            }
            h.setCharAt(h.length() - 1, '}');
            h.append(',');
        }
        for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
            Tensor t = kv.getValue();
            long b = begin.get(kv.getKey());
            h.append(Json.quote(kv.getKey())).append(":{\"dtype\":\"").append(StoredDType.of(t.dtype()))
                    .append("\",\"shape\":").append(Arrays.toString(t.shape().dims()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(b).append(',').append(b + (long) t.numel() * t.dtype().byteSize()).append("]},");
        }
        if (h.length() > 1) h.setLength(h.length() - 1);
        h.append('}');
        ByteBuffer utf8;
        try {
            utf8 = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(h));
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "a tensor name or metadata string is not valid Unicode (lone surrogate)", e);
        }
        int n = utf8.remaining(), padded = (n + 7) / 8 * 8;
        if (padded > HeaderReader.MAX_HEADER) throw new SafeTensorsException(file, "header of " + padded + " bytes exceeds " + HeaderReader.MAX_HEADER);
        byte[] out = new byte[padded];
        utf8.get(out, 0, n);
        Arrays.fill(out, n, padded, (byte) ' ');
        return out;
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot open or sync a directory; the rename itself is still atomic
        }
    }

    // ------------------------------------------------------------------ slabs

    /** Writes each slab's tensors as {@code <role>/<tensor name>}, roles in the map's order; {@code checksum} as in {@link #write}. */
    public static void writeSlabs(Path file, Map<String, Slab> roles, Map<String, String> metadata, boolean checksum) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        for (Map.Entry<String, Slab> r : roles.entrySet()) {
            SlabLayout l = r.getValue().layout();
            for (int i = 0; i < l.count(); i++) {
                String name = r.getKey() + "/" + l.names().get(i);
                if (all.put(name, r.getValue().tensor(i)) != null) {
                    throw new SafeTensorsException(file, "tensor name '" + name + "' arises from two roles (role '" + r.getKey() + "' and another)");
                }
            }
        }
        write(file, all, metadata, checksum);
    }

    /** Reads role {@code role} of {@code file} into a new slab; see {@link #slab}. */
    public static Slab readSlab(Path file, String role, SlabLayout expected, DType dtype, Backend b) throws IOException {
        return slab(file, read(file, b), role, expected, dtype, b);
    }

    /**
     * Copies role {@code role} of {@code contents} (read from {@code file}) into a new slab with layout {@code expected},
     * after checking that the role has exactly the layout's tensor names, each with its shape and {@code dtype}; the
     * exception lists every mismatch (missing tensor, unexpected tensor, shape, dtype).
     */
    public static Slab slab(Path file, Contents contents, String role, SlabLayout expected, DType dtype, Backend b) throws SafeTensorsException {
        List<String> problems = new ArrayList<>();
        String prefix = role + "/";
        for (int i = 0; i < expected.count(); i++) {
            String name = prefix + expected.names().get(i);
            Tensor t = contents.tensors().get(name);
            if (t == null) {
                problems.add("missing tensor '" + name + "' " + expected.shape(i));
                continue;
            }
            if (!t.shape().equals(expected.shape(i))) problems.add("'" + name + "' has shape " + t.shape() + ", expected " + expected.shape(i));
            if (t.dtype() != dtype) problems.add("'" + name + "' has dtype " + t.dtype() + ", expected " + dtype);
        }
        Set<String> names = new HashSet<>(expected.names());
        for (String k : contents.tensors().keySet()) {
            if (k.startsWith(prefix) && !names.contains(k.substring(prefix.length()))) problems.add("unexpected tensor '" + k + "'");
        }
        if (!problems.isEmpty()) {
            int n = problems.size();
            String listed = String.join("; ", problems.subList(0, Math.min(n, MAX_PROBLEMS)));
            throw new SafeTensorsException(file, "role '" + role + "' does not match the expected layout: " + listed
                    + (n > MAX_PROBLEMS ? "; and " + (n - MAX_PROBLEMS) + " more" : ""));
        }
        Slab s = Slab.zeros(b, dtype, expected);
        for (int i = 0; i < expected.count(); i++) s.tensor(i).assign(contents.tensors().get(prefix + expected.names().get(i)).to(b));
        return s;
    }
}
