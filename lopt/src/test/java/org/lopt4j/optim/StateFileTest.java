package org.lopt4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.ScalarBackend;
import org.lopt4j.tensor.cpu.fused.SimdFusedOps;

/** Deep copies and safetensors checkpoints of every optimizer's state: resuming reproduces the trajectory exactly. */
class StateFileTest {
    static final Backend B = new WithFused(ScalarBackend.INSTANCE, new SimdFusedOps(256));
    static final SlabLayout L = Problems.LAYOUT;
    static final StepInfo PLAN = new StepInfo(0, Double.NaN, 10);

    @TempDir Path dir;

    @TestFactory Stream<DynamicTest> saveLoadAndCopyResumeExactly() {
        return OptimizerCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> resumes(c.fast(), dir.resolve("s.safetensors"))));
    }

    static <S extends OptState<S>> void resumes(Optimizer<S> o, Path file) throws IOException {
        Slab p = Problems.slab(B, DType.F32, L, Problems.params(L)), g = Slab.zeros(B, DType.F32, L);
        S s = o.init(p);
        for (int k = 0; k < 3; k++) s = step(o, s, p, g, k);
        StateFile.save(file, o, s);
        S copy = s.copy();
        Slab pLoaded = p.copy(), pCopy = p.copy();
        S loaded = StateFile.load(file, o, o.init(pLoaded));
        assertEquals(s.counters(), loaded.counters());
        for (int k = 3; k < 6; k++) {
            s = step(o, s, p, g, k);
            loaded = step(o, loaded, pLoaded, g, k);
            copy = step(o, copy, pCopy, g, k);
        }
        assertArrayEquals(p.flat().toFloatArray(), pLoaded.flat().toFloatArray(), "resumed from the file");
        assertArrayEquals(p.flat().toFloatArray(), pCopy.flat().toFloatArray(), "resumed from the copy (deep: the original moved on)");
        for (String k : s.buffers().keySet()) {
            assertArrayEquals(s.buffers().get(k).flat().toFloatArray(), loaded.buffers().get(k).flat().toFloatArray(), k);
        }
    }

    static <S extends OptState<S>> S step(Optimizer<S> o, S s, Slab p, Slab g, int k) {
        Problems.write(g, Problems.grads(L, k));
        return o.update(s, p, g, PLAN);
    }

    @Test void copiesAreDeep() {
        Slab p = Problems.slab(B, DType.F32, L, Problems.params(L)), g = Problems.slab(B, DType.F32, L, Problems.grads(L, 0));
        Adam o = Adam.lo(0.01);
        Adam.State s = o.update(o.init(p), p, g, PLAN), c = s.copy();
        float[] before = c.v().flat().toFloatArray();
        s.v().flat().fill(9);
        assertArrayEquals(before, c.v().flat().toFloatArray());
        assertEquals(s.step(), c.step());
    }

    @Test void loadingRejectsAnotherOptimizerOrHyperparametersOrLayout() throws IOException {
        Slab p = Problems.slab(B, DType.F32, L, Problems.params(L));
        Adam adam = Adam.lo(0.01);
        Path file = dir.resolve("adam.safetensors");
        StateFile.save(file, adam, adam.init(p));
        IOException other = assertThrows(IOException.class, () -> StateFile.load(file, AdamW.lo(0.01), AdamW.lo(0.01).init(p)));
        assertTrue(other.getMessage().contains("optimizer is adam, expected adamw"), other.getMessage());
        IOException hyper = assertThrows(IOException.class, () -> StateFile.load(file, Adam.lo(0.02), Adam.lo(0.02).init(p)));
        assertTrue(hyper.getMessage().contains("hyperparameters"), hyper.getMessage());
        Slab q = Slab.zeros(B, DType.F32, SlabLayout.of(List.of("w"), List.of(Shape.of(3))));
        IOException layout = assertThrows(IOException.class, () -> StateFile.load(file, adam, adam.init(q)));
        assertTrue(layout.getMessage().contains("'m/w'"), layout.getMessage());
    }
}
