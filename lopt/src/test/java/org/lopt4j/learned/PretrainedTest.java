package org.lopt4j.learned;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** {@link Pretrained}: the shipped θ, lopt4j files of every learned optimizer, and one-line errors for everything else. */
class PretrainedTest {
    static Path fixture(String name) throws Exception { return Path.of(PretrainedTest.class.getResource("/fixtures/pylo_hub/" + name).toURI()); }

    static String error(Path p) { return assertThrows(IOException.class, () -> Pretrained.load(p)).getMessage(); }

    @Test void shippedThetaIsTheResourceAndOnlyShippedNamesResolve() throws Exception {
        Pretrained p = Pretrained.shipped("small_fc_lopt");
        assertEquals(LearnedOptimizers.named("small_fc_lopt"), p.lopt());
        assertEquals(p.lopt().thetaLayout(), p.theta().layout());
        assertTrue(Arrays.stream(p.theta().flat().toDoubleArray()).anyMatch(v -> v != 0), "a meta-trained θ, not zeros");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Pretrained.shipped("velo")).getMessage().contains("no θ ships"));
        Pretrained general = Pretrained.shipped("small_fc_lopt_general");
        assertEquals(p.lopt(), general.lopt(), "the general θ is small_fc_lopt's");
        assertTrue(!Arrays.equals(p.theta().flat().toDoubleArray(), general.theta().flat().toDoubleArray()), "and meta-trained further");
        Pretrained velo = Pretrained.shipped("velo_small_general");
        assertEquals(LearnedOptimizers.named("velo_small"), velo.lopt());
        assertTrue(Arrays.stream(velo.theta().flat().toDoubleArray()).allMatch(Double::isFinite), "a finite θ");
    }

    @Test void lopt4jFilesOfEveryLearnedOptimizerComeBackWithTheirOptimizer(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"small_fc_lopt", "small_fc_lopt32", "mlp_lopt", "velo_small", "l3rs", "l3rs:4"}) {
            LearnedOptimizer<?> lo = LearnedOptimizers.named(name);
            Slab theta = lo.initTheta(RandomKey.of(3), ScalarBackend.INSTANCE);
            Path f = dir.resolve(name.replace(':', '_') + ".safetensors");
            LearnedCheckpoint.save(f, lo, theta, null);
            Pretrained p = Pretrained.load(f);
            assertEquals(lo, p.lopt(), name);
            assertArrayEquals(theta.flat().toDoubleArray(), p.theta().flat().toDoubleArray(), 0, name);
        }
    }

    @Test void celo2LoadsAndUnknownDirectoriesAreNamedInTheError(@TempDir Path dir) throws Exception {
        Pretrained celo2 = Pretrained.load(fixture("celo2"));
        assertEquals(org.lopt4j.learned.celo2.Celo2.celo2(), celo2.lopt());
        assertTrue(Arrays.stream(celo2.theta().flat().toDoubleArray()).anyMatch(v -> v != 0));
        String empty = error(dir);
        assertTrue(empty.contains("without config.json") && empty.contains("VeLO_RNN"), empty);
        Files.writeString(dir.resolve("config.json"), "{\"d_model\": 64}");
        assertTrue(error(dir).contains("match no PyLO model"), error(dir));
        Files.writeString(dir.resolve("config.json"), "{\"input_size\": ");
        assertTrue(error(dir).contains("not JSON"), error(dir));
        assertTrue(error(dir.resolve("absent")).contains("no such file or directory"));
    }

    @Test void halfAVeloCheckpointOrWrongSizesAreRefused(@TempDir Path dir) throws Exception {
        Path rnn = dir.resolve("VeLO_RNN");
        Files.createDirectories(rnn);
        for (String f : new String[] {"config.json", "model.safetensors"}) Files.copy(fixture("velo/VeLO_RNN").resolve(f), rnn.resolve(f));
        assertTrue(error(dir).contains("VeLO_MLP"), error(dir));
        assertTrue(error(rnn).contains("VeLO_MLP"), error(rnn));
        Path mlp = dir.resolve("VeLO_MLP");
        Files.createDirectories(mlp);
        Files.copy(fixture("velo/VeLO_MLP").resolve("model.safetensors"), mlp.resolve("model.safetensors"));
        Files.writeString(mlp.resolve("config.json"), "{\"param_inits\": 16, \"output_size\": 3}");
        assertTrue(error(dir).contains("param_inits 16"), error(dir));
        Files.writeString(mlp.resolve("config.json"), "{\"param_inits\": 8, \"output_size\": 3}");
        assertEquals(new org.lopt4j.learned.velo.Velo(32, 8, org.lopt4j.optim.NonFinitePolicy.ZERO_NONFINITE), Pretrained.load(dir).lopt());
        Files.writeString(rnn.resolve("config.json"), "{\"lstm_hidden_size\": 64, \"param_inits\": 8}");
        assertTrue(error(dir).contains("shape"), error(dir));
    }

    @Test void corruptFilesGetOneLineErrors(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertTrue(error(junk).contains("not a learned-optimizer checkpoint"), error(junk));
        LearnedOptimizer<?> lo = LearnedOptimizers.named("small_fc_lopt");
        Path f = dir.resolve("lopt.safetensors");
        LearnedCheckpoint.save(f, lo, lo.initTheta(RandomKey.of(1), ScalarBackend.INSTANCE), null);
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 40));
        assertTrue(error(cut).contains(cut.toString()), error(cut));
        Slab nan = lo.initTheta(RandomKey.of(1), ScalarBackend.INSTANCE);
        nan.tensor(0).assign(nan.tensor(0).mul(nan.tensor(0).scalar(Double.NaN)));
        Path bad = dir.resolve("nan.safetensors");
        LearnedCheckpoint.save(bad, lo, nan, null);
        assertTrue(error(bad).contains("non-finite"), error(bad));
        for (String m : new String[] {error(junk), error(cut), error(bad)}) assertTrue(!m.contains("\n"), "one line: " + m);
    }
}
