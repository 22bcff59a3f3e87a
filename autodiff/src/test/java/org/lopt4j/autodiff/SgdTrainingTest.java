package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** An MLP with two hidden layers regresses a random teacher MLP with plain SGD; the loss must fall at least tenfold. */
class SgdTrainingTest {
    /** The claim under test: SGD through the tape makes real progress, not just a little. */
    static final double REQUIRED_FALL = 10;

    @Test void lossFallsTenfold() {
        Backend b = Backends.best();
        Mlp teacher = new Mlp("teacher", 8, new int[] {16, 1});
        Mlp student = new Mlp("mlp", 8, new int[] {32, 32, 1});
        Model tm = new Model(teacher.params()), sm = new Model(student.params());
        Slab tp = tm.init(RandomKey.of(1), b, DType.F32);
        Slab params = sm.init(RandomKey.of(2), b, DType.F32);
        Slab grads = params.zerosLike();
        Tensor lr = Tensor.full(b, DType.F32, Shape.SCALAR, 0.05);
        double first = 0, last = 0;
        for (int step = 0; step < 300; step++) {
            Tensor x = Tensor.random(b, DType.F32, Shape.of(64, 8), RandomKey.of(100).child(step), Op.Dist.NORMAL);
            try (Tape t = new Tape()) {
                Var y;
                try (var ng = t.noGrad()) { y = teacher.apply(tm.bind(t, tp), t.constant(x)); }
                Params p = sm.bind(t, params);
                Var loss = student.apply(p, t.constant(x)).sub(y).square().meanAll();
                if (step == 0) first = loss.value().item();
                last = loss.value().item();
                t.backward(loss).writeTo(params, grads);
                params.flat().applyInPlace(Op.Binary.SUB, grads.flat().mul(lr));
            }
        }
        assertTrue(Double.isFinite(last) && last < first / REQUIRED_FALL, "loss fell from " + first + " to " + last);
    }
}
