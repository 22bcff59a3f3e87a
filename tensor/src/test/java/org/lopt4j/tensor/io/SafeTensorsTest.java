package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

class SafeTensorsTest {
    @TempDir Path dir;
    private final Backend b = ScalarBackend.INSTANCE;

    /** A file built byte by byte from the format description (what Python's safetensors writes). */
    static byte[] handMade(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h).put(data);
        return bb.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) bb.putFloat(x);
        return bb.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test void roundTripAllDtypesViewsScalarsAndEmpty() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a/f32", Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 2, 3).mT());   // strided view
        t.put("b/f64", Tensor.of(b, new double[] {Math.PI, -0.0, Double.MIN_VALUE}, 3));
        t.put("c/i32", Tensor.of(b, new int[] {7, -8}, 2));
        t.put("scalar", Tensor.of(b, new float[] {42}));
        t.put("empty", Tensor.zeros(b, DType.F32, 0, 4));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, t, Map.of("format", "lopt4j", "quote\"d", "line\nbreak"));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertEquals(List.copyOf(t.keySet()), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, c.tensors().get("a/f32").toFloatArray());
        assertEquals(Shape.of(3, 2), c.tensors().get("a/f32").shape());
        assertArrayEquals(new double[] {Math.PI, -0.0, Double.MIN_VALUE}, c.tensors().get("b/f64").toDoubleArray());
        assertArrayEquals(new int[] {7, -8}, c.tensors().get("c/i32").toIntArray());
        assertEquals(Shape.SCALAR, c.tensors().get("scalar").shape());
        assertEquals(Shape.of(0, 4), c.tensors().get("empty").shape());
        assertEquals("line\nbreak", c.metadata().get("quote\"d"));
        assertEquals(0, (Files.size(p) - 8 - (Files.size(p) - 8 - headerLen(p))) % 8, "header padded to 8 bytes");
        try (var s = Files.list(dir)) { assertEquals(1, s.count(), "no temporary file left behind"); }
    }

    private static long headerLen(Path p) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test void readsAHandMadeFile() throws IOException {
        String h = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}}";
        Path p = file("h.safetensors", handMade(h, floats(1, 2, 3, 4, 9)));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.tensors().get("w").toFloatArray());
        assertArrayEquals(new float[] {9}, c.tensors().get("b").toFloatArray());
        assertEquals("v", c.metadata().get("k"));
    }

    @Test void writesTheExpectedBytes() throws IOException {
        Path p = dir.resolve("w.safetensors");
        SafeTensors.write(p, Map.of("x", Tensor.of(b, new float[] {1.5f, -2}, 2)), Map.of());
        String h = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        String padded = h + " ".repeat((8 - h.length() % 8) % 8);
        assertArrayEquals(handMade(padded, floats(1.5f, -2)), Files.readAllBytes(p));
    }

    /** Every malformed file is rejected with a message naming the file and what is wrong. */
    @Test void corruptCorpus() throws IOException {
        byte[] d16 = floats(1, 2, 3, 4);
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("short", new byte[] {1, 2, 3});
        bad.put("huge-header", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
        bad.put("header-past-end", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100).array());
        bad.put("not-json", handMade("{\"x\":", d16));
        bad.put("not-object", handMade("[1,2]", d16));
        bad.put("bad-utf8", handMade("{\"\u00ff\":1}", d16));
        bad.put("unknown-dtype", handMade("{\"x\":{\"dtype\":\"BF16\",\"shape\":[8],\"data_offsets\":[0,16]}}", d16));
        bad.put("missing-dtype", handMade("{\"x\":{\"shape\":[4],\"data_offsets\":[0,16]}}", d16));
        bad.put("negative-dim", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", d16));
        bad.put("float-dim", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4.0],\"data_offsets\":[0,16]}}", d16));
        bad.put("wrong-size", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", d16));
        bad.put("offsets-reversed", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]}}", d16));
        bad.put("past-end", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", d16));
        bad.put("overlap", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", d16));
        bad.put("hole", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", d16));
        bad.put("trailing", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", d16));
        bad.put("duplicate", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", d16));
        bad.put("bad-metadata", handMade("{\"__metadata__\":{\"k\":1},\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", d16));
        bad.put("extra-field", handMade("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16],\"z\":1}}", d16));
        for (Map.Entry<String, byte[]> e : bad.entrySet()) {
            Path p = file(e.getKey() + ".safetensors", e.getValue());
            SafeTensorsException ex = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p, b), e.getKey());
            assertTrue(ex.getMessage().contains(p.toString()), e.getKey() + ": message names the file: " + ex.getMessage());
        }
        SafeTensorsException ex = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(dir.resolve("absent"), b));
        assertTrue(ex.getMessage().contains("no such file"));
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(dir.resolve("unknown-dtype.safetensors"), b)).getMessage();
        assertTrue(m.contains("'x'") && m.contains("BF16"), "names the tensor and the dtype: " + m);
    }

    @Test void everyTruncationIsRejected() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, Map.of("a", Tensor.of(b, new float[] {1, 2, 3}, 3), "b", Tensor.of(b, new int[] {4}, 1)), Map.of("m", "x"));
        byte[] all = Files.readAllBytes(good);
        for (int n = 0; n < all.length; n++) {
            Path p = file("t" + n, java.util.Arrays.copyOf(all, n));
            assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p, b), "truncated at " + n);
        }
        assertEquals(2, SafeTensors.read(good, b).tensors().size());
    }

    @Test void failedWriteLeavesTheOldFileIntact() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.of(b, new float[] {1}, 1)), Map.of());
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> badNames = new LinkedHashMap<>();
        badNames.put("ok", Tensor.of(b, new float[] {2}, 1));
        badNames.put("__metadata__", Tensor.of(b, new float[] {3}, 1));
        assertThrows(SafeTensorsException.class, () -> SafeTensors.write(p, badNames, Map.of()));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var s = Files.list(dir)) { assertEquals(1, s.count(), "temporary file removed"); }
    }

    @Test void slabsRoundTripAndMismatchesAreNamed() throws IOException {
        SlabLayout l = SlabLayout.sorted(Map.of("w", Shape.of(3, 2), "b", Shape.of(2)));
        Slab params = Slab.zeros(b, DType.F32, l);
        params.tensor("w").assign(Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        params.tensor("b").fill(7);
        Path p = dir.resolve("s.safetensors");
        SafeTensors.writeSlabs(p, Map.of("params", params), Map.of("v", "1"));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        Slab back = SafeTensors.slab(p, c, "params", l, DType.F32, b);
        assertArrayEquals(params.flat().toFloatArray(), back.flat().toFloatArray());
        SlabLayout other = SlabLayout.sorted(Map.of("w", Shape.of(2, 3), "c", Shape.of(1)));
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.slab(p, c, "params", other, DType.F32, b)).getMessage();
        assertTrue(m.contains("missing tensor 'params/c'") && m.contains("shape [3, 2], expected [2, 3]") && m.contains("unexpected tensor 'params/b'"), m);
    }
}
