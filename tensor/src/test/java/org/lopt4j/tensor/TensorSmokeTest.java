package org.lopt4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.lopt4j.tensor.cpu.ScalarBackend;
import org.junit.jupiter.api.Test;

class TensorSmokeTest {
    private final Backend b = ScalarBackend.INSTANCE;

    @Test void broadcastAddAndViews() {
        Tensor x = Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = Tensor.of(b, new float[] {10, 20, 30}, 3);
        assertArrayEquals(new float[] {11, 22, 33, 14, 25, 36}, x.add(y).toFloatArray());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, x.transpose(0, 1).contiguous().toFloatArray());
        assertArrayEquals(new float[] {2, 5}, x.slice(1, 1, 2, 1).toFloatArray());
        assertArrayEquals(new float[] {6, 15}, x.sum(1).toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6}, x.max(0).toFloatArray());
    }

    @Test void matmulAndComposites() {
        Tensor a = Tensor.of(b, new double[] {1, 2, 3, 4}, 2, 2);
        assertArrayEquals(new double[] {7, 10, 15, 22}, a.matmul(a).toDoubleArray(), 0);
        double[] sm = Nn.softmax(a, -1).toDoubleArray();
        assertEquals(1.0, sm[0] + sm[1], 1e-15);
        Tensor conv = Nn.conv2d(Tensor.full(b, DType.F64, Shape.of(1, 3, 3, 1), 1),
                Tensor.full(b, DType.F64, Shape.of(2, 2, 1, 1), 1), null, 1, Nn.Padding.VALID);
        assertArrayEquals(new double[] {4, 4, 4, 4}, conv.toDoubleArray(), 0);
        // SAME max pooling pads with -inf: an all-negative image keeps its negative maxima at the border
        Tensor neg = Tensor.full(b, DType.F64, Shape.of(1, 3, 3, 1), -5);
        Tensor pooled = Nn.maxPool2d(neg, 2, 2, Nn.Padding.same(3, 3, 2, 2, 2));
        assertArrayEquals(new double[] {-5, -5, -5, -5}, pooled.toDoubleArray(), 0);
    }
}
