package org.lopt4j.metatrain.examples;

import org.lopt4j.autodiff.Tape;
import org.lopt4j.autodiff.Var;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** First example: an MLP learns a random teacher network with plain SGD on synthetic data, printing its loss. */
public final class TrainMlpExample {
    private TrainMlpExample() {}

    public static void main(String[] args) {
        Backend b = Backends.best();
        Mlp teacher = new Mlp("teacher", 8, new int[] {16, 1}), student = new Mlp("mlp", 8, new int[] {32, 32, 1});
        Model tm = new Model(teacher.params()), sm = new Model(student.params());
        Slab tp = tm.init(RandomKey.of(1), b, DType.F32), params = sm.init(RandomKey.of(2), b, DType.F32);
        Slab grads = params.zerosLike();
        Tensor lr = Tensor.full(b, DType.F32, Shape.SCALAR, 0.05);
        System.out.printf("backend %s, %d parameters in one slab%n", b.name(), sm.layout().paramCount());
        for (int step = 0; step <= 1000; step++) {
            Tensor x = Tensor.random(b, DType.F32, Shape.of(64, 8), RandomKey.of(100).child(step), Op.Dist.NORMAL);
            try (Tape t = new Tape()) {
                Var y;
                try (var noGrad = t.noGrad()) { y = teacher.apply(tm.bind(t, tp), t.constant(x)); }
                Var loss = student.apply(sm.bind(t, params), t.constant(x)).sub(y).square().meanAll();
                t.backward(loss).writeTo(params, grads);                        // all gradients, one slab
                params.flat().applyInPlace(Op.Binary.SUB, grads.flat().mul(lr)); // SGD: one pass over all tensors
                if (step % 100 == 0) System.out.printf("step %4d  loss %.6f%n", step, loss.value().item());
            }
        }
    }
}
