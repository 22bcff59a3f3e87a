package org.lopt4j.metatrain.examples;

import java.io.IOException;
import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.learned.Pretrained;
import org.lopt4j.optim.AdamW;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * First example, on the core jars alone (tensor, autodiff, lopt): an MLP learns a random teacher network on synthetic
 * data, once with AdamW and once with the learned optimizer whose meta-trained θ ships in the lopt jar, one line each.
 */
public final class TrainMlpExample {
    static final int STEPS = 500;

    private TrainMlpExample() {}

    public static void main(String[] args) throws IOException {
        Backend b = Backends.best();
        Optimizer<?> adamw = AdamW.of(3e-3, 1e-4);
        Optimizer<?> learned = Pretrained.shipped("small_fc_lopt").optimizer();   // or Pretrained.load(Path.of("a PyLO checkpoint"))
        System.out.printf("backend %s%n", b.name());
        double[] a = train("adamw", adamw, b), l = train("small_fc_lopt", learned, b);
        System.out.printf("adamw: loss %.6f -> %.6f; small_fc_lopt: loss %.6f -> %.6f%n", a[0], a[1], l[0], l[1]);
    }

    /** Trains a fresh student with {@code opt}; returns its first and last loss. */
    static <S extends OptState<S>> double[] train(String name, Optimizer<S> opt, Backend b) {
        Mlp teacher = new Mlp("teacher", 8, new int[] {16, 1}), student = new Mlp("mlp", 8, new int[] {32, 32, 1});
        Model tm = new Model(teacher.params()), sm = new Model(student.params());
        Slab tp = tm.init(RandomKey.of(1), b, DType.F32), params = sm.init(RandomKey.of(2), b, DType.F32);
        Slab grads = params.zerosLike();
        S state = opt.init(params);                                            // the optimizer's state, laid out like params
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < STEPS; step++) {
            Tensor x = Tensor.random(b, DType.F32, Shape.of(64, 8), RandomKey.of(100).child(step), Op.Dist.NORMAL);
            try (Tape t = new Tape()) {
                Var y;
                try (var noGrad = t.noGrad()) { y = teacher.apply(tm.bind(t, tp), t.constant(x)); }
                Var loss = student.apply(sm.bind(t, params), t.constant(x)).sub(y).square().meanAll();
                t.backward(loss).writeTo(params, grads);                        // all gradients, one slab
                last = loss.value().item();
                if (step == 0) first = last;
                state = opt.update(state, params, grads, new StepInfo(step, last, STEPS));   // one fused pass over all tensors
                if (step % 100 == 0) System.out.printf("%-14s step %4d  loss %.6f%n", name, step, last);
            }
        }
        return new double[] {first, last};
    }
}
