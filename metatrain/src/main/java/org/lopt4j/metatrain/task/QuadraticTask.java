package org.lopt4j.metatrain.task;

import org.lopt4j.metatrain.data.Batch;
import org.lopt4j.metatrain.data.Split;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * A separable quadratic {@code L(x) = mean(a ⊙ (x − c)²)} with curvatures {@code a} (log-uniform in [0.1, 10]) and
 * centre {@code c} drawn from a key, and {@code x} initialized from N(0, 1): a fixture for optimizer and
 * meta-training tests whose gradient {@code 2a(x − c)/d} is known in closed form. Batched over members.
 */
public final class QuadraticTask implements Task {
    private final int dim;
    private final Tensor a, c;
    private final SlabLayout layout;

    public QuadraticTask(int dim, RandomKey key, Backend b) {
        this.dim = dim;
        Tensor u = Tensor.random(b, DType.F32, Shape.of(dim), key.child(0), Op.Dist.UNIFORM);
        this.a = u.mul(u.scalar(Math.log(100))).exp().mul(u.scalar(0.1));
        this.c = Tensor.random(b, DType.F32, Shape.of(dim), key.child(1), Op.Dist.NORMAL);
        this.layout = SlabLayout.of(java.util.List.of("x"), java.util.List.of(Shape.of(dim)));
    }

    @Override public String name() { return "Quadratic_" + dim; }
    @Override public SlabLayout layout() { return layout; }
    @Override public int examples(Split split) { return 0; }
    @Override public int batchSize() { return 0; }
    @Override public Batch batch(Backend backend, Split split, int[][] idx) { return null; }

    @Override public Slab init(RandomKey key, Backend backend, int members) {
        Slab s = Slab.zeros(backend, DType.F32, layout.repeat(members));
        for (int m = 0; m < members; m++) {
            PopulationParams.stacked(s, layout, 0, members).slice(0, m, m + 1, 1)
                    .assign(Tensor.random(backend, DType.F32, Shape.of(1, dim), key.child(m), Op.Dist.NORMAL));
        }
        return s;
    }

    @Override public double[] lossAndGrad(Slab params, int members, Batch batch, Slab grads) {
        Tensor x = PopulationParams.stacked(params, layout, 0, members), d = x.sub(c);
        PopulationParams.stacked(grads, layout, 0, members).assign(d.mul(a).mul(d.scalar(2.0 / dim)));
        return d.square().mul(a).mean(1).toDoubleArray();
    }

    @Override public double[] loss(Slab params, int members, Batch batch) {
        Tensor d = PopulationParams.stacked(params, layout, 0, members).sub(c);
        return d.square().mul(a).mean(1).toDoubleArray();
    }

    @Override public double normalize(double loss) { return Double.isFinite(loss) ? loss : 1e3; }

    /** Curvatures (for analytic checks). */
    public Tensor curvatures() { return a; }

    /** Minimizer. */
    public Tensor centre() { return c; }
}
