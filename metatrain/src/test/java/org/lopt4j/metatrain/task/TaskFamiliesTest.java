package org.lopt4j.metatrain.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lopt4j.metatrain.outer.AdamEnvelope;
import org.lopt4j.metatrain.outer.TaskMixture;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.RandomKey;

/** The task families: deterministic per key, varied across keys, never the held-out suite's tasks; loss scales; mixtures. */
class TaskFamiliesTest {
    final Backend b = Backends.best();

    @Test void aKeyAlwaysDrawsTheSameTaskAndKeysDrawVariedOnes() {
        for (String f : TaskFamilies.names()) {
            TaskFamily fam = TaskFamilies.entry(f).make().apply(null), again = TaskFamilies.entry(f).make().apply(null);
            Set<String> names = new HashSet<>();
            for (int k = 0; k < 40; k++) {
                Task t = fam.sample(RandomKey.of(k)), u = again.sample(RandomKey.of(k));
                assertEquals(t.name(), u.name(), f + " key " + k);
                assertEquals(t.layout(), u.layout(), f + " key " + k);
                names.add(t.name());
            }
            assertTrue(names.size() >= 20, f + " drew only " + names.size() + " distinct tasks from 40 keys: " + names);
            Task t = fam.sample(RandomKey.of(3));
            assertArrayEquals(t.init(RandomKey.of(5), b, 1).flat().toFloatArray(), again.sample(RandomKey.of(3)).init(RandomKey.of(5), b, 1).flat().toFloatArray(),
                    f + ": the same task and init key give the same parameters");
        }
    }

    /** {@code FAMILY#KEY} names the task the family draws at that key, for train, compare and suite alike. */
    @Test void aFamilySampleIsReachedByName() {
        for (String f : TaskFamilies.names()) {
            if (f.equals("mlp28_family")) continue;
            Task drawn = TaskFamilies.entry(f).make().apply(null).sample(RandomKey.of(7)), named = Tasks.byName(f + "#7", null);
            assertTrue(Tasks.exists(f + "#7"), f);
            assertEquals(drawn.name(), named.name(), f);
            assertEquals(drawn.layout(), named.layout(), f);
        }
        assertNotEquals(Tasks.byName("conv_family#1", null).layout(), Tasks.byName("conv_family#2", null).layout());
        assertFalse(Tasks.exists("no_family#1"));
        assertFalse(Tasks.exists("conv_family#"));
        assertFalse(Tasks.exists("conv_family#-1"));
        assertTrue(Tasks.exists("ImageMLP_FashionMnist8_Relu32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tasks.byName("no_family#1", null));
        assertTrue(e.getMessage().contains("unknown task family 'no_family'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tasks.byName("conv_family#x", null));
    }

    /**
     * The held-out suite must stay out of the training mixture, whatever the key: no MLP at 16×16, no MNIST MLP at
     * 28×28 (28×28 Fashion-MNIST MLPs may be drawn), no 64-wide char-LM, no Fashion-MNIST conv or autoencoder.
     */
    @Test void noFamilyDrawsAHeldOutSuiteTask() {
        for (String f : TaskFamilies.names()) {
            TaskFamily fam = TaskFamilies.entry(f).make().apply(null);
            for (int k = 0; k < 500; k++) {
                String n = fam.sample(RandomKey.of(k)).name();
                assertFalse(n.matches(".*mnist16_.*") || n.matches("ImageMLP(AE)?_mnist28_.*") || n.contains("LSTM64_") || n.contains("L64_") || n.startsWith("Conv_fashion")
                        || n.startsWith("ImageMLPAE_fashion"), f + " key " + k + " drew " + n + ", too close to a held-out suite task");
            }
        }
    }

    /** tasks.md §5's envelope of ImageMLP_FashionMnist8_Relu32: 2.310 initially, 0.551 at 1k, 0.437 at 10k. */
    @Test void lossScaleOfAnEnvelopeFollowsTasksMd() {
        AdamEnvelope env = AdamEnvelope.of("ImageMLP_FashionMnist8_Relu32");
        LossScale at10k = LossScale.ofEnvelope(env.steps(), env.losses(), 10_000);
        assertEquals(2.310, at10k.initial(), 0);
        assertEquals(0.437, at10k.adam(), 1e-12);
        assertEquals(0.551, LossScale.ofEnvelope(env.steps(), env.losses(), 1_000).adam(), 1e-12);
        assertEquals(0.551 + 0.5 * (0.437 - 0.551), LossScale.ofEnvelope(env.steps(), env.losses(), 5_500).adam(), 1e-12);
        assertEquals(1, at10k.apply(2.310), 1e-12);
        assertEquals(0, at10k.apply(0.437), 1e-12);
        AdamEnvelope big = AdamEnvelope.of("ImageMLP_FashionMnist_Relu128x128");
        assertEquals(0.150, LossScale.ofEnvelope(big.steps(), big.losses(), 10_000).adam(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new LossScale(0.1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new LossScale(Double.NaN, 0.2));
    }

    @Test void aNormalizedTaskScalesItsOwnNormalizer() {
        Task base = Tasks.byName("ImageMLP_FashionMnist8_Relu32", null);
        NormalizedTask t = new NormalizedTask(base, new LossScale(2.3, 0.3));
        assertEquals((1.3 - 0.3) / 2.0, t.normalize(1.3), 1e-12);
        assertEquals((1.5 * Math.log(10) - 0.3) / 2.0, t.normalize(Double.NaN), 1e-12, "NaN goes to the task's cap, then is scaled");
        assertEquals((1.5 * Math.log(10) - 0.3) / 2.0, t.normalize(50), 1e-12);
        assertEquals(base.layout(), t.layout());
    }

    @Test void mixturesParseDrawByWeightAndRefuseBadSpecs() {
        TaskMixture m = TaskMixture.parse("mix:mlp_family*3,charlm_family", null, b);
        assertEquals(2, m.components().size());
        int first = 0;
        for (int k = 0; k < 2000; k++) if (m.componentOf(RandomKey.of(k)) == 0) first++;
        assertEquals(0.75, first / 2000.0, 0.04, "weights 3:1");
        Task t = m.task(RandomKey.of(11));
        assertTrue(t instanceof NormalizedTask, "a family's task carries its loss scale");
        assertEquals(t.name(), TaskMixture.parse("mix:mlp_family*3,charlm_family", null, b).task(RandomKey.of(11)).name());
        assertNotEquals(TaskFamilies.entry("mlp_family").scale(), TaskFamilies.entry("mlp_ae_family").scale());
        var e = assertThrows(IllegalArgumentException.class, () -> TaskMixture.parse("mix:mlp_family,nope", null, b));
        assertTrue(e.getMessage().contains("unknown family or task 'nope'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskMixture.parse("mix:mlp_family*0", null, b));
        assertThrows(IllegalArgumentException.class, () -> TaskMixture.parse("mix:mlp_family*x", null, b));
        assertThrows(IllegalArgumentException.class, () -> TaskMixture.parse("mix:", null, b));
    }
}
