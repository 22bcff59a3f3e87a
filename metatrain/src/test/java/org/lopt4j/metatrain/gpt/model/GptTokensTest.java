package org.lopt4j.metatrain.gpt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GptTokensTest {
    @Test void mnistSplitsAsThePaper() {
        TokenSplit s = TokenSplit.of(new int[] {7840, 10, 100, 10}, 1000);      // 784-10-10, P = 7,960
        assertEquals(7960, s.parameters());
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 840, 10, 100, 10}, s.lengths());
        assertEquals(11, s.count());
        assertEquals(26, 2 * s.count() + Gpt.SCALARS, "sequence length");
    }

    @Test void cifarAndNanoSplits() {
        TokenSplit cifar = TokenSplit.of(new int[] {432, 4608, 320, 10}, 576);
        assertEquals(5370, cifar.parameters());
        assertArrayEquals(new int[] {432, 576, 576, 576, 576, 576, 576, 576, 576, 320, 10}, cifar.lengths());
        TokenSplit nano = TokenSplit.of(new int[] {1960, 10, 100, 10}, 256);    // 196-10-10, P = 2,080
        assertEquals(2080, nano.parameters());
        assertArrayEquals(new int[] {256, 256, 256, 256, 256, 256, 256, 168, 10, 100, 10}, nano.lengths());
        assertArrayEquals(new int[] {0, 256, 512, 768, 1024, 1280, 1536, 1792, 1960, 1970, 2070}, nano.offsets());
        assertEquals(26, new Gpt(GptShape.nano(), new int[] {1960, 10, 100, 10}).tokens());
    }

    @Test void scatterAndGatherRoundTrip() {
        TokenSplit s = TokenSplit.of(new int[] {1960, 10, 100, 10}, 256);
        float[] v = new float[s.parameters()];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        float[] table = new float[s.count() * 3 * 256];
        s.scatter(v, 1, table, 3, 256, 0, 1);
        assertArrayEquals(v, s.gather(table, 3, 256, 1));
        assertEquals(0f, table[(7 * 3 + 1) * 256 + 168], "padding past a short token stays zero");
    }

    @Test void scalarEmbeddingIs257Values() {
        FrequencyEmbedding e = FrequencyEmbedding.GPT;
        assertEquals(257, e.width());
        float[] out = new float[257];
        e.embed(3, out, 0);
        assertEquals(Math.sin(3), out[0], 1e-6, "f_0 = 1");
        assertEquals(Math.cos(3 * 16384.0), out[128 + 127], 1e-3, "f_127 = 2^14");
        assertEquals(3f, out[256]);
    }
}
