package org.lopt4j.metatrain.rl;

import java.util.List;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;

/**
 * The noisy quadratic model of LHOPT's task mix (lhopt.md §4, §6): {@code L(x) = ½ Σ h_i x_i²} with curvatures
 * log-spaced over the condition number, a stochastic gradient {@code h ⊙ x + σ·√h ⊙ ξ}, start {@code x ~ N(0, 1)}.
 * {@link #sample} draws dimension (10–1,000), condition number (100–30k) and noise (0.1–3) log-uniformly.
 */
public record NoisyQuadratic(int dim, double condition, double noise) implements InnerProblem {
    public static NoisyQuadratic sample(RandomKey key) {
        return new NoisyQuadratic((int) Math.round(logU(key, 0, 10, 1000)), logU(key, 1, 100, 30_000), logU(key, 2, 0.1, 3));
    }

    private static double logU(RandomKey key, int i, double lo, double hi) {
        return Math.exp(Math.log(lo) + key.sample(Op.Dist.UNIFORM, DType.F64, i) * (Math.log(hi) - Math.log(lo)));
    }

    @Override public String name() { return String.format("NQM_%d_k%.0f_s%.2f", dim, condition, noise); }

    double curvature(int i) { return dim == 1 ? 1 : Math.exp(-Math.log(condition) * i / (dim - 1)); }

    @Override public Slab init(RandomKey key, Backend backend) {
        Slab s = Slab.zeros(backend, DType.F32, SlabLayout.of(List.of("x"), List.of(Shape.of(dim))));
        s.tensor(0).assign(org.lopt4j.tensor.Tensor.random(backend, DType.F32, Shape.of(dim), key, Op.Dist.NORMAL));
        return s;
    }

    @Override public double lossAndGrad(Slab params, Slab grads, RandomKey key) {
        CpuStorage x = (CpuStorage) params.flat().storage(), g = (CpuStorage) grads.flat().storage();
        double loss = 0;
        for (int i = 0; i < dim; i++) {
            double h = curvature(i), xi = x.get(i), xi2 = key.sample(Op.Dist.NORMAL, DType.F64, i);
            loss += 0.5 * h * xi * xi;
            g.set(i, h * xi + noise * Math.sqrt(h) * xi2);
        }
        return loss;
    }

    @Override public double evalLoss(Slab params) {
        CpuStorage x = (CpuStorage) params.flat().storage();
        double loss = 0;
        for (int i = 0; i < dim; i++) loss += 0.5 * curvature(i) * x.get(i) * x.get(i);
        return loss;
    }
}
