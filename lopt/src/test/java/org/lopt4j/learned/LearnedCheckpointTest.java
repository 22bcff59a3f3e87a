package org.lopt4j.learned;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;

class LearnedCheckpointTest {
    @Test void roundTripAndResumeGiveTheSameTrajectory(@TempDir Path dir) throws Exception {
        Backend b = Backends.best();
        SmallFcLopt lo = SmallFcLopt.google();
        Slab theta = lo.initTheta(RandomKey.of(1), b);
        Optimizer<SmallFcLopt.State> o = lo.optimizer(theta);
        SlabLayout l = SlabLayout.of(List.of("w", "b"), List.of(Shape.of(6, 5), Shape.of(5)));
        Slab p = Slab.zeros(b, DType.F32, l), g = p.zerosLike();
        g.tensor(0).fill(0.3);
        g.tensor(1).fill(-0.1);
        SmallFcLopt.State s = o.update(o.init(p), p, g, StepInfo.NONE);
        LearnedCheckpoint.save(dir.resolve("ck.safetensors"), lo, theta, s);
        Slab pResumed = p.copy();
        SmallFcLopt.State cont = o.update(s, p, g, StepInfo.NONE);
        LearnedCheckpoint.Contents<SmallFcLopt.State> c = LearnedCheckpoint.load(dir.resolve("ck.safetensors"), lo, o.init(p), b);
        assertArrayEquals(theta.flat().toFloatArray(), c.theta().flat().toFloatArray());
        assertEquals(1, c.state().step());
        lo.optimizer(c.theta()).update(c.state(), pResumed, g, StepInfo.NONE);
        assertArrayEquals(p.flat().toFloatArray(), pResumed.flat().toFloatArray(), "resumed step equals the continued one");
        assertEquals(2, cont.step());
        String m = assertThrows(java.io.IOException.class, () -> LearnedCheckpoint.load(dir.resolve("ck.safetensors"), SmallFcLopt.mulo(), null, b)).getMessage();
        assertTrue(m.contains("architecture"), m);
        SlabLayout other = SlabLayout.of(List.of("w"), List.of(Shape.of(5, 6)));
        Slab q = Slab.zeros(b, DType.F32, other);
        assertThrows(java.io.IOException.class, () -> LearnedCheckpoint.load(dir.resolve("ck.safetensors"), lo, o.init(q), b));
    }

    /** A θ with NaN or ±∞ anywhere is refused on load, naming the tensor; a changed data byte fails the checksum. */
    @Test void nonFiniteOrCorruptThetaIsRefused(@TempDir Path dir) throws Exception {
        Backend b = Backends.best();
        SmallFcLopt lo = SmallFcLopt.google();
        Path f = dir.resolve("nan.safetensors");
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            Slab theta = lo.initTheta(RandomKey.of(2), b);
            int w1 = theta.layout().index("nn/~/w1");
            float[] v = theta.tensor(w1).toFloatArray();
            v[3] = (float) bad;
            theta.tensor(w1).assign(org.lopt4j.tensor.Tensor.of(b, v, theta.layout().shape(w1).dims()));
            LearnedCheckpoint.save(f, lo, theta, null);
            String m = assertThrows(java.io.IOException.class, () -> LearnedCheckpoint.load(f, lo, null, b)).getMessage();
            assertTrue(m.contains("tensor 'theta/nn/~/w1' holds 1 non-finite value (" + (float) bad + " at index 3)"), m);
        }
        Slab theta = lo.initTheta(RandomKey.of(2), b);
        LearnedCheckpoint.save(f, lo, theta, null);
        byte[] bytes = java.nio.file.Files.readAllBytes(f);
        bytes[bytes.length - 1] ^= 1;
        java.nio.file.Files.write(f, bytes);
        String m = assertThrows(java.io.IOException.class, () -> LearnedCheckpoint.load(f, lo, null, b)).getMessage();
        assertTrue(m.contains("checksum"), m);
    }
}
