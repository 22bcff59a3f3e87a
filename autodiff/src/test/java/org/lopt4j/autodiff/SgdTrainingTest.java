package org.lopt4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.lopt4j.autodiff.nn.Mlp;
import org.lopt4j.autodiff.nn.Model;
import org.lopt4j.autodiff.nn.Params;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Nn;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/** A small MLP regresses a random teacher MLP with plain SGD; the loss must fall at least tenfold. */
class SgdTrainingTest {
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
        for (int step = 0; step < 400; step++) {
            Tensor x = Tensor.random(b, DType.F32, Shape.of(64, 8), RandomKey.of(100).child(step), Op.Dist.NORMAL);
            try (Tape t = new Tape()) {
                Tensor y;
                try (Tape tt = new Tape()) { y = teacher.apply(tm.bind(tt, tp), tt.constant(x)).value(); }
                Params p = sm.bind(t, params);
                Var err = student.apply(p, t.constant(x)).sub(t.constant(y));
                Var loss = err.square().meanAll();
                if (step == 0) first = loss.value().item();
                last = loss.value().item();
                sm.gradients(p, t.backward(loss), grads);
                params.flat().applyInPlace(Op.Binary.SUB, grads.flat().mul(lr));
            }
        }
        assertTrue(last < first / 10, "loss fell from " + first + " to " + last);
        assertTrue(Double.isFinite(Nn.relu(params.flat()).sumAll().item()));
    }
}
