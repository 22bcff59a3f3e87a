package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.lopt4j.tensor.io.Bytes.f32;
import static org.lopt4j.tensor.io.Bytes.f64;
import static org.lopt4j.tensor.io.Bytes.i32;
import static org.lopt4j.tensor.io.Bytes.padded;

import java.io.IOException;
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
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.SimdBackend;

class SafeTensorsTest {
    @TempDir Path dir;
    private final Backend b = ScalarBackend.INSTANCE;

    @Test void roundTripsEveryDtypeScalarsEmptyTensorsAndStridedViews() throws IOException {
        float nanWithPayload = Float.intBitsToFloat(0x7fc00123);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("f32/transposed", Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 2, 3).mT());
        t.put("f32/specials", Tensor.of(b, new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, nanWithPayload}, 5));
        t.put("f64/values", Tensor.of(b, new double[] {Math.PI, -0.0, Double.MIN_VALUE, Double.MAX_VALUE}, 2, 2));
        t.put("f64/sliced", Tensor.of(b, new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 8).slice(0, 1, 8, 3));
        t.put("i32/values", Tensor.of(b, new int[] {7, -8, Integer.MIN_VALUE, Integer.MAX_VALUE}, 4));
        t.put("scalar/f32", Tensor.of(b, new float[] {42}));
        t.put("scalar/i32", Tensor.of(b, new int[] {-3}));
        t.put("empty/f32", Tensor.zeros(b, DType.F32, 0, 4));
        t.put("empty/f64", Tensor.zeros(b, DType.F64, 3, 0));
        t.put("simd/transposed", Tensor.of(SimdBackend.INSTANCE, new float[] {1, 2, 3, 4, 5, 6}, 3, 2).permute(1, 0));
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, t, Map.of("format", "lopt4j", "quote\"d", "line\nbreak", "ünï", "\uD83D\uDE00"));

        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertEquals(List.copyOf(t.keySet()), List.copyOf(c.tensors().keySet()), "header order is the map's order");
        for (Map.Entry<String, Tensor> e : t.entrySet()) {
            Tensor back = c.tensors().get(e.getKey());
            assertEquals(e.getValue().shape(), back.shape(), e.getKey());
            assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
            assertEquals(b, back.backend(), e.getKey());
            assertArrayEquals(e.getValue().toDoubleArray(), back.toDoubleArray(), e.getKey());
        }
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, c.tensors().get("f32/transposed").toFloatArray());
        assertArrayEquals(new double[] {1, 4, 7}, c.tensors().get("f64/sliced").toDoubleArray());
        assertEquals(0x7fc00123, Float.floatToRawIntBits(c.tensors().get("f32/specials").toFloatArray()[4]), "NaN payload kept");
        assertEquals(Shape.SCALAR, c.tensors().get("scalar/i32").shape());
        assertEquals(Map.of("format", "lopt4j", "quote\"d", "line\nbreak", "ünï", "\uD83D\uDE00"), c.metadata());
    }

    @Test void emptyMetadataIsOmittedAndReadsBackEmpty() throws IOException {
        Path p = dir.resolve("e.safetensors");
        SafeTensors.write(p, Map.of(), Map.of());
        assertArrayEquals(Bytes.file(padded("{}")), Files.readAllBytes(p), "the Rust writer's bytes for no tensors");
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertTrue(c.tensors().isEmpty() && c.metadata().isEmpty());
    }

    /**
     * The writer's bytes equal a file assembled by hand from the format description. The first two are the Rust
     * library's own serialization examples (so Python's safetensors writes exactly these bytes); in the third, the
     * Rust writer would list the keys in data order (a, b, c), and both orders are read back the same.
     */
    @Test void writesExactlyTheBytesTheFormatDescribes() throws IOException {
        Path p = dir.resolve("w.safetensors");
        SafeTensors.write(p, Map.of("attn0", Tensor.of(b, new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3)), Map.of());
        String h = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(72, padded(h).length(), "header padded to an 8-byte boundary with spaces");
        assertArrayEquals(Bytes.file(padded(h), f32(0, 1, 2, 3, 4, 5)), Files.readAllBytes(p));

        SafeTensors.write(p, Map.of(), Map.of("framework", "pt"));
        assertArrayEquals(Bytes.file(padded("{\"__metadata__\":{\"framework\":\"pt\"}}")), Files.readAllBytes(p));

        Map<String, Tensor> mixed = new LinkedHashMap<>();
        mixed.put("b", Tensor.of(b, new float[] {1.5f, -2}, 2));
        mixed.put("a", Tensor.of(b, new double[] {0.25, 1e300}, 2));
        mixed.put("c", Tensor.of(b, new int[] {-7}));
        SafeTensors.write(p, mixed, Map.of("k", "\"é\\\n\u0001/"));
        String meta = "\"__metadata__\":{\"k\":\"\\\"é\\\\\\n\\u0001/\"}";
        String b1 = "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}";
        String a1 = "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}";
        String c1 = "\"c\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[24,28]}";
        byte[] data = Bytes.concat(f64(0.25, 1e300), f32(1.5f, -2), i32(-7));
        assertArrayEquals(Bytes.file(padded("{" + meta + "," + b1 + "," + a1 + "," + c1 + "}"), data), Files.readAllBytes(p));

        Path rustOrder = Bytes.write(dir, "r.safetensors", Bytes.file(padded("{" + meta + "," + a1 + "," + b1 + "," + c1 + "}"), data));
        SafeTensors.Contents c = SafeTensors.read(rustOrder, b);
        assertEquals(List.of("a", "b", "c"), List.copyOf(c.tensors().keySet()));
        for (String k : mixed.keySet()) assertArrayEquals(mixed.get(k).toDoubleArray(), c.tensors().get(k).toDoubleArray(), k);
        assertEquals("\"é\\\n\u0001/", c.metadata().get("k"));
    }

    @Test void readsHandMadeFilesInAnyKeyOrderWithoutPadding() throws IOException {
        String h = "{\"w\":{\"data_offsets\":[0,16],\"shape\":[2,2],\"dtype\":\"F32\"},\"__metadata__\":{\"k\":\"v\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},\"z\":{\"dtype\":\"I32\",\"shape\":[0],\"data_offsets\":[20,20]}}";
        Path p = Bytes.write(dir, "h.safetensors", Bytes.file(h, f32(1, 2, 3, 4, 9)));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertEquals(List.of("w", "b", "z"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.tensors().get("w").toFloatArray());
        assertEquals(Shape.of(2, 2), c.tensors().get("w").shape());
        assertArrayEquals(new float[] {9}, c.tensors().get("b").toFloatArray());
        assertEquals(Shape.of(0), c.tensors().get("z").shape());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    @Test void zeroSizeTensorsMayShareAnOffsetInAnyOrder() throws IOException {
        String h = "{\"full\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e1\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},\"e2\":{\"dtype\":\"F64\",\"shape\":[0,3],\"data_offsets\":[8,8]}}";
        Path p = Bytes.write(dir, "z.safetensors", Bytes.file(h, f32(1, 2)));
        assertEquals(3, SafeTensors.read(p, b).tensors().size());
    }

    @Test void headerInspectsNamesDtypesShapesOffsetsAndMetadata() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.zeros(b, DType.F32, 3, 2));
        t.put("d", Tensor.zeros(b, DType.F64, 5));
        t.put("i", Tensor.zeros(b, DType.I32));
        Path p = dir.resolve("i.safetensors");
        SafeTensors.write(p, t, Map.of("step", "7"));
        SafeTensors.Header h = SafeTensors.header(p);
        assertEquals(List.of("w", "d", "i"), h.entries().stream().map(SafeTensors.Entry::name).toList());
        assertEquals(new SafeTensors.Entry("w", StoredDType.F32, Shape.of(3, 2), 40, 64), h.entry("w"));
        assertEquals(new SafeTensors.Entry("d", StoredDType.F64, Shape.of(5), 0, 40), h.entry("d"));
        assertEquals(new SafeTensors.Entry("i", StoredDType.I32, Shape.SCALAR, 64, 68), h.entry("i"));
        assertEquals(DType.I32, h.entry("i").dtype());
        assertEquals(Map.of("step", "7"), h.metadata());
        assertEquals(Files.size(p), h.dataStart() + h.dataBytes());
        assertEquals(0, (h.dataStart() - 8) % 8, "header padded to 8 bytes");
    }

    /** F16 and BF16 widen exactly to F32 and I64 narrows to I32; values are the formats' bit patterns, by hand. */
    @Test void readsHalfFloatsAndLongsIntoF32AndI32() throws IOException {
        String h = "{\"h\":{\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[0,12]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[12,20]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[20,44]}}";
        byte[] data = Bytes.concat(Bytes.u16(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x8000),
                Bytes.u16(0x3F80, 0xC000, 0x4049, 0xFF80), Bytes.i64(5, Integer.MIN_VALUE, Integer.MAX_VALUE));
        Path p = Bytes.write(dir, "conv.safetensors", Bytes.file(h, data));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertEquals(DType.F32, c.tensors().get("h").dtype());
        assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f, Float.POSITIVE_INFINITY, -0f}, c.tensors().get("h").toFloatArray());
        assertArrayEquals(new float[] {1, -2, 3.140625f, Float.NEGATIVE_INFINITY}, c.tensors().get("bf").toFloatArray());
        assertEquals(DType.I32, c.tensors().get("l").dtype());
        assertArrayEquals(new int[] {5, Integer.MIN_VALUE, Integer.MAX_VALUE}, c.tensors().get("l").toIntArray());
        assertEquals(StoredDType.BF16, SafeTensors.header(p).entry("bf").stored());
    }

    @Test void anI64ThatDoesNotFitInI32IsAnErrorNotAWrongTensor() throws IOException {
        String h = "{\"ok\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"big\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[4,20]}}";
        Path p = Bytes.write(dir, "big.safetensors", Bytes.file(h, f32(1), Bytes.i64(1, 1L << 31)));
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p, b)).getMessage();
        assertTrue(m.contains(p.toString()) && m.contains("'big'") && m.contains("element 1 = 2147483648"), m);
        SafeTensors.header(p);   // the header itself is valid
    }

    @Test void aBackendWithoutF64IsToldWhichTensorItCannotHold() throws IOException {
        Path p = dir.resolve("d.safetensors");
        SafeTensors.write(p, Map.of("d", Tensor.of(b, new double[] {1}, 1)), Map.of());
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p, BrokenBackend.INSTANCE)).getMessage();
        assertTrue(m.contains("'d'") && m.contains("broken") && m.contains("F64"), m);
    }

    @Test void largeFilesCrossTheWriteBufferIntact() throws IOException {
        float[] big = new float[300_001];   // 1.2 MB: more than one write buffer, and not a multiple of it
        for (int k = 0; k < big.length; k++) big[k] = k * 0.5f - 7;
        double[] odd = {1, 2, 3};
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("small", Tensor.of(b, new int[] {1, 2, 3}, 3));
        t.put("big", Tensor.of(b, big, big.length));
        t.put("odd", Tensor.of(b, odd, 3));
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(p, t, Map.of());
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertArrayEquals(big, c.tensors().get("big").toFloatArray());
        assertArrayEquals(odd, c.tensors().get("odd").toDoubleArray());
        assertArrayEquals(new int[] {1, 2, 3}, c.tensors().get("small").toIntArray());
        assertEquals(SafeTensors.header(p).dataStart() + 4L * big.length + 24 + 12, Files.size(p));
    }

    @Test void readTensorsCannotBeAddedOrRemoved() throws IOException {
        Path p = dir.resolve("u.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.of(b, new float[] {1}, 1)), Map.of("k", "v"));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertThrows(UnsupportedOperationException.class, () -> c.tensors().remove("a"));
        assertThrows(UnsupportedOperationException.class, () -> c.metadata().put("x", "y"));
    }
}
