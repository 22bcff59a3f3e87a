package org.lopt4j.metatrain.outer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.LearnedOptimizers;

/** Every meta-training config under metatrain/configs parses, names a known learned optimizer and keeps its options. */
class ShippedConfigsTest {
    @Test void everyMetaTrainingConfigParses() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("configs"))) {
            files = s.filter(p -> p.getFileName().toString().matches("(small_fc_lopt|velo|l3rs)_.*\\.json")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "found the configs: " + files);
        for (Path f : files) {
            MetaConfig c = MetaConfig.read(f);
            LearnedOptimizers.named(c.lopt());
            assertTrue(c.outerSteps() > 0, f + ": outer steps");
        }
        MetaConfig fanIn = MetaConfig.read(Path.of("configs/small_fc_lopt_fanin.json"));
        assertEquals(8, fanIn.loptOptions().fanInReference(), "small_fc_lopt_fanin.json's fan-in reference");
        assertEquals(0, MetaConfig.read(Path.of("configs/small_fc_lopt_mixture28.json")).loptOptions().fanInReference());
        assertEquals(new org.lopt4j.learned.UpdateOptions(1, 0, 0, 8, true), MetaConfig.read(Path.of("configs/small_fc_lopt_mixture_fanin.json")).loptOptions(),
                "small_fc_lopt_mixture_fanin.json scales matrices only, as the suite's --fan-in-matrices-only");
        assertEquals(new org.lopt4j.learned.UpdateOptions(1, 0, 0, 32, true, true), MetaConfig.read(Path.of("configs/small_fc_lopt_linear_fanin.json")).loptOptions(),
                "small_fc_lopt_linear_fanin.json scales matrices only by min(1, 32 / fan-in), as the suite's --fan-in-linear");
        MetaConfig ramp = MetaConfig.read(Path.of("configs/small_fc_lopt_linear_ramp.json"));
        assertEquals(1, ramp.metaLossRamp(), "small_fc_lopt_linear_ramp.json's ramp");
        assertEquals(MetaConfig.read(Path.of("configs/small_fc_lopt_linear_fanin.json")).with(java.util.Map.of("metaLossRamp", 1.0)), ramp,
                "the ramp recipe differs from the linear fan-in recipe in its ramp only");
        assertEquals(0, MetaConfig.read(Path.of("configs/small_fc_lopt_linear_fanin.json")).metaLossRamp());
        assertEquals(6, MetaConfig.read(Path.of("configs/velo_small_adam_start.json")).adamStart(), "velo_small_adam_start.json's step multiplier");
        assertEquals(0, MetaConfig.read(Path.of("configs/velo_small_mixture.json")).adamStart());
    }
}
