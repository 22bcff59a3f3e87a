package org.lopt4j.learned.smallfc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.lopt4j.learned.mlp.MlpLopt;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.LearnedOps.SmallFcLoptArgs;

/** The Java side of small_fc_lopt's device kernels against learned_rule.cuh, which both GPU dialects compile. */
class FactoredTablesTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+((?:SFL|MLP|LOPT_MAX)_\\w+)\\s+(\\d+)\\s*$");

    static Map<String, Integer> defines() throws IOException {
        // surefire runs in the module directory: the header lives beside it in cuda-kernels
        String text = Files.readString(Path.of("../cuda-kernels/src/main/cuda/learned_rule.cuh"));
        Map<String, Integer> d = new HashMap<>();
        Matcher m = DEFINE.matcher(text);
        while (m.find()) d.put(m.group(1), Integer.parseInt(m.group(2)));
        return d;
    }

    @Test void fieldsAndSizesMatchTheHeader() throws IOException {
        Map<String, Integer> d = defines();
        Map<String, Integer> java = Map.ofEntries(Map.entry("SFL_MEMBER", FactoredArgs.MEMBER),
                Map.entry("SFL_FACTORED", FactoredArgs.FACTORED), Map.entry("SFL_ROW_OFFSET", FactoredArgs.ROW_OFFSET),
                Map.entry("SFL_COL_OFFSET", FactoredArgs.COL_OFFSET), Map.entry("SFL_MEAN_OFFSET", FactoredArgs.MEAN_OFFSET),
                Map.entry("SFL_LO0", FactoredArgs.LO0), Map.entry("SFL_SPAN0", FactoredArgs.SPAN0),
                Map.entry("SFL_LO1", FactoredArgs.LO1), Map.entry("SFL_SPAN1", FactoredArgs.SPAN1),
                Map.entry("SFL_LOR", FactoredArgs.LOR), Map.entry("SFL_SPANR", FactoredArgs.SPANR),
                Map.entry("SFL_N0", FactoredArgs.N0), Map.entry("SFL_N1", FactoredArgs.N1),
                Map.entry("SFL_ROWS", FactoredArgs.ROWS), Map.entry("SFL_COLS", FactoredArgs.COLS),
                Map.entry("SFL_MEANS", FactoredArgs.MEANS), Map.entry("SFL_BIG_DIMS", FactoredArgs.BIG_DIMS),
                Map.entry("SFL_FIELDS", FactoredArgs.FIELDS),
                Map.entry("SFL_DECAYS", FactoredArgs.DECAYS), Map.entry("SFL_MAX_WIDTH", SmallFcLoptArgs.MAX_WIDTH),
                Map.entry("SFL_FEATURES", SmallFcLopt.NORMALIZED), Map.entry("SFL_INPUTS", SmallFcLopt.INPUTS),
                Map.entry("SFL_TIME", SmallFcLopt.INPUTS - SmallFcLopt.NORMALIZED), Map.entry("LOPT_MAX_LAYERS", SmallFcLoptArgs.MAX_LAYERS),
                Map.entry("MLP_FEATURES", MlpLopt.NORMALIZED), Map.entry("MLP_MOMENTA", MlpLopt.DECAYS.length));
        java.forEach((name, value) -> assertEquals(value, d.get(name), name));
        // every field the header defines has its Java twin (SFL_MOM..SFL_ONE_MINUS index the decay rows)
        for (String name : d.keySet()) {
            if (!List.of("SFL_MOM", "SFL_RMS", "SFL_ADA", "SFL_ONE_MINUS").contains(name)) assertEquals(true, java.containsKey(name), name + " has no Java twin");
        }
        assertEquals(Map.of("SFL_MOM", 0, "SFL_RMS", 3, "SFL_ADA", 4, "SFL_ONE_MINUS", 7),
                Map.of("SFL_MOM", d.get("SFL_MOM"), "SFL_RMS", d.get("SFL_RMS"), "SFL_ADA", d.get("SFL_ADA"), "SFL_ONE_MINUS", d.get("SFL_ONE_MINUS")),
                "decay rows: momentum ×3, rms, adafactor ×3, then 1 − each (SmallFcLopt.Packed packs them so)");
    }
}
