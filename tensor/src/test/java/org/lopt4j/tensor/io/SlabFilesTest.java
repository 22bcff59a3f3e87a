package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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

class SlabFilesTest {
    @TempDir Path dir;
    private final Backend b = ScalarBackend.INSTANCE;
    private final SlabLayout layout = SlabLayout.sorted(Map.of("w", Shape.of(3, 2), "b", Shape.of(2), "s", Shape.SCALAR));

    private Path saved() throws IOException {
        Slab params = Slab.zeros(b, DType.F32, layout);
        params.tensor("w").assign(Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        params.tensor("b").fill(7);
        params.tensor("s").fill(-1);
        Slab moments = Slab.zeros(b, DType.F64, layout);
        moments.tensor("w").fill(0.5);
        Map<String, Slab> roles = new LinkedHashMap<>();
        roles.put("params", params);
        roles.put("state/m", moments);
        Path p = dir.resolve("s.safetensors");
        SafeTensors.writeSlabs(p, roles, Map.of("v", "1"), false);
        return p;
    }

    @Test void slabsRoundTripTensorByTensorWithoutTheirGaps() throws IOException {
        Path p = saved();
        SafeTensors.Header h = SafeTensors.header(p);
        assertEquals(List.of("params/b", "params/s", "params/w", "state/m/b", "state/m/s", "state/m/w"),
                h.entries().stream().map(SafeTensors.Entry::name).toList());
        assertEquals(Shape.of(3, 2), h.entry("params/w").shape());
        assertEquals(8 + 4 + 24 + 16 + 8 + 48, h.dataBytes(), "only the tensors are stored, not the slab's alignment gaps");

        Slab params = SafeTensors.readSlab(p, "params", layout, DType.F32, b);
        assertEquals(layout, params.layout());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, params.tensor("w").toFloatArray());
        assertArrayEquals(new float[] {7, 7}, params.tensor("b").toFloatArray());
        assertEquals(-1, params.tensor("s").item());
        float[] flat = params.flat().toFloatArray();
        float sum = 0;
        for (float v : flat) sum += v;
        assertEquals(21 + 14 - 1, sum, "gaps are zero");

        SafeTensors.Contents c = SafeTensors.read(p, b);
        Slab m = SafeTensors.slab(p, c, "state/m", layout, DType.F64, b);
        assertEquals(DType.F64, m.dtype());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, m.tensor("w").toDoubleArray());
    }

    @Test void everyMismatchIsListed() throws IOException {
        Path p = saved();
        SlabLayout other = SlabLayout.sorted(Map.of("w", Shape.of(2, 3), "c", Shape.of(1), "s", Shape.SCALAR));
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.readSlab(p, "params", other, DType.F64, b)).getMessage();
        assertTrue(m.startsWith(p + ": role 'params' does not match the expected layout: "), m);
        for (String want : List.of("missing tensor 'params/c' [1]", "'params/w' has shape [3, 2], expected [2, 3]",
                "'params/w' has dtype F32, expected F64", "'params/s' has dtype F32, expected F64", "unexpected tensor 'params/b'")) {
            assertTrue(m.contains(want), "expected \"" + want + "\" in: " + m);
        }
        assertFalse(m.contains("state/m"), "other roles are not this role's business: " + m);
        String none = assertThrows(SafeTensorsException.class, () -> SafeTensors.readSlab(p, "theta", layout, DType.F32, b)).getMessage();
        assertTrue(none.contains("missing tensor 'theta/b'") && none.contains("missing tensor 'theta/w'"), none);
    }

    @Test void longMismatchListsAreCut() throws IOException {
        Path p = saved();
        Map<String, Shape> many = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) many.put("t" + i, Shape.of(1));
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.readSlab(p, "params", SlabLayout.sorted(many), DType.F32, b)).getMessage();
        assertTrue(m.endsWith("; and 13 more"), "30 missing + 3 unexpected, 20 listed: " + m);
    }

    @Test void rolesWhoseNamesCollideAreRefused() {
        Slab a = Slab.zeros(b, DType.F32, SlabLayout.of(List.of("b/c"), List.of(Shape.of(1))));
        Slab ab = Slab.zeros(b, DType.F32, SlabLayout.of(List.of("c"), List.of(Shape.of(1))));
        Map<String, Slab> roles = new LinkedHashMap<>();
        roles.put("a", a);
        roles.put("a/b", ab);
        Path p = dir.resolve("c.safetensors");
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.writeSlabs(p, roles, Map.of(), false)).getMessage();
        assertTrue(m.contains("'a/b/c'"), m);
    }
}
