package org.lopt4j.metatrain.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.core.ExtensionTypeHeader;

/**
 * Reads learned_optimization's flax checkpoints ({@code flax.serialization.to_bytes}, velo.md §12): nested msgpack
 * maps whose array leaves are ExtType 1 (numpy scalars ExtType 3) with a payload {@code [shape, dtype, data]}, and
 * chunked arrays {@code {"__msgpack_chunked_array__": true, "shape": ..., "chunks": ...}}. Leaves come back as F32
 * tensors keyed by their '/'-joined path; {@link #theta} picks a learned optimizer's θ out of them.
 */
public final class FlaxCheckpoint {
    private FlaxCheckpoint() {}

    /** Every array leaf, keyed by its path (e.g. {@code params/nn/~/w0}). */
    public static Map<String, Tensor> read(Path file, Backend b) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such file (expected a flax msgpack checkpoint)");
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(Files.readAllBytes(file))) {
            value(u, "", out, b, file);
            if (u.hasNext()) throw new IOException(file + ": trailing bytes after the checkpoint");
        } catch (org.msgpack.core.MessageInsufficientBufferException e) {
            throw new IOException(file + ": truncated msgpack data", e);
        } catch (org.msgpack.core.MessagePackException e) {
            throw new IOException(file + ": not a flax msgpack checkpoint (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static void value(MessageUnpacker u, String path, Map<String, Tensor> out, Backend b, Path file) throws IOException {
        MessageFormat f = u.getNextFormat();
        switch (f.getValueType()) {
            case MAP -> {
                int n = u.unpackMapHeader();
                Map<String, Tensor> inner = new LinkedHashMap<>();
                boolean isChunked = false;
                for (int i = 0; i < n; i++) {
                    String k = u.unpackString();
                    if (k.equals("__msgpack_chunked_array__")) { isChunked = u.unpackBoolean(); continue; }
                    value(u, path.isEmpty() ? k : path + "/" + k, inner, b, file);
                }
                if (isChunked) {
                    out.put(path, unchunk(path, inner, b, file));
                } else {
                    out.putAll(inner);
                }
            }
            case EXTENSION -> {
                ExtensionTypeHeader h = u.unpackExtensionTypeHeader();
                byte[] payload = u.readPayload(h.getLength());
                if (h.getType() != 1 && h.getType() != 3) throw new IOException(file + ": '" + path + "': unsupported ext type " + h.getType());
                out.put(path, array(payload, path, b, file));
            }
            case INTEGER -> out.put(path, Tensor.of(b, new float[] {u.unpackLong()}));   // e.g. chunked shapes, step
            case FLOAT, STRING, BOOLEAN, NIL, BINARY, ARRAY -> u.skipValue();              // gen_id, ...: not tensors
            default -> throw new IOException(file + ": '" + path + "': unexpected " + f);
        }
    }

    private static Tensor array(byte[] payload, String path, Backend b, Path file) throws IOException {
        try (MessageUnpacker p = MessagePack.newDefaultUnpacker(payload)) {
            int parts = p.unpackArrayHeader();
            if (parts != 3) throw new IOException(file + ": '" + path + "': array payload has " + parts + " parts, expected [shape, dtype, data]");
            int rank = p.unpackArrayHeader();
            int[] dims = new int[rank];
            for (int i = 0; i < rank; i++) dims[i] = p.unpackInt();
            String dtype = p.unpackString();
            int len = p.unpackBinaryHeader();
            byte[] data = p.readPayload(len);
            int n = Shape.of(dims).numel();
            ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            float[] v = new float[n];
            switch (dtype) {
                case "float32" -> { check(len, 4L * n, path, file); for (int i = 0; i < n; i++) v[i] = bb.getFloat(); }
                case "float64" -> { check(len, 8L * n, path, file); for (int i = 0; i < n; i++) v[i] = (float) bb.getDouble(); }
                case "int32" -> { check(len, 4L * n, path, file); for (int i = 0; i < n; i++) v[i] = bb.getInt(); }
                default -> throw new IOException(file + ": '" + path + "': unsupported dtype " + dtype);
            }
            return Tensor.of(b, v, dims);
        }
    }

    private static void check(long got, long want, String path, Path file) throws IOException {
        if (got != want) throw new IOException(file + ": '" + path + "': " + got + " data bytes, expected " + want);
    }

    private static Tensor unchunk(String path, Map<String, Tensor> inner, Backend b, Path file) throws IOException {
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; inner.containsKey(path + "/shape/" + i); i++) dims.add((int) inner.get(path + "/shape/" + i).item());
        List<float[]> chunks = new ArrayList<>();
        int total = 0;
        for (int i = 0; inner.containsKey(path + "/chunks/" + i); i++) {
            float[] c = inner.get(path + "/chunks/" + i).toFloatArray();
            chunks.add(c);
            total += c.length;
        }
        int[] d = dims.stream().mapToInt(Integer::intValue).toArray();
        if (Shape.of(d).numel() != total) throw new IOException(file + ": '" + path + "': chunks hold " + total + " values for shape " + dims);
        float[] all = new float[total];
        int at = 0;
        for (float[] c : chunks) { System.arraycopy(c, 0, all, at, c.length); at += c.length; }
        return Tensor.of(b, all, d);
    }

    /**
     * The θ of {@code lo} from a checkpoint's leaves under {@code root} ("params" for params files, "0" for no-config
     * files): every θ tensor must be present with its shape; extra leaves are ignored (training state).
     */
    public static Slab theta(Map<String, Tensor> leaves, String root, LearnedOptimizer<?> lo, Backend b, Path file) throws IOException {
        SlabLayout l = lo.thetaLayout();
        Slab theta = Slab.zeros(b, DType.F32, l);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < l.count(); i++) {
            Tensor t = leaves.get(root + "/" + l.names().get(i));
            if (t == null) problems.add("missing '" + root + "/" + l.names().get(i) + "'");
            else if (!t.shape().equals(l.shape(i))) problems.add("'" + l.names().get(i) + "' has shape " + t.shape() + ", expected " + l.shape(i));
            else theta.tensor(i).assign(t);
        }
        if (!problems.isEmpty()) throw new IOException(file + ": not a " + lo.name() + " checkpoint: " + String.join("; ", problems));
        return theta;
    }
}
