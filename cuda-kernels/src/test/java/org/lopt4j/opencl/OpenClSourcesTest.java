package org.lopt4j.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jocl.CL;
import org.junit.jupiter.api.Test;
import org.lopt4j.gpu.Dims;
import org.lopt4j.gpu.View;
import org.lopt4j.tensor.DType;

/** The .cl sources agree with Java on every shared number, and every program builds on the device for every dtype. */
class OpenClSourcesTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+\\(?(-?\\d+)\\)?\\s*$");

    @Test void everyConstantMatchesItsDefine() {
        Map<String, Integer> defined = new HashMap<>();
        for (String file : new String[] {ClProgram.COMMON, "elementwise.cl", "reduce.cl", "matmul.cl", "random.cl", "move.cl", "fused.cl"}) {
            Matcher m = DEFINE.matcher(ClProgram.source(file));
            while (m.find()) defined.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        ClConstants.all().forEach((name, value) -> assertEquals(value, defined.get(name), name + " in the .cl sources"));
    }

    @Test void structImagesHaveTheCLayout() {
        assertEquals(4 + 4 * ClConstants.MAX_RANK, Dims.of(2, 3).bytes().length, "struct Dims: int rank, int d[8]");
        assertEquals(8 + 8 * ClConstants.MAX_RANK, View.of(0, 1).bytes().length, "struct View: long offset, long s[8]");
    }

    @Test void everyProgramBuildsForEveryDtype() {
        OpenClBackend cl = OpenClSupport.backendOrSkip();
        for (ClProgram p : ClProgram.values()) {
            for (DType d : p.generic() ? ClParity.dtypes(true).toArray(DType[]::new) : new DType[] {null}) {
                if (p.generic() && d == DType.I32 && (p == ClProgram.MATMUL || p == ClProgram.RANDOM || p == ClProgram.FUSED)) continue;
                String options = cl.programs().options(p, d);
                assertTrue(options.contains(p.generic() ? "LOPT4J_" + d.name() : "CL1.2"), options);
                CL.clReleaseProgram(cl.programs().compile(p.file() + " " + d, p.sources(), options));
            }
        }
    }

    @Test void aFailedBuildCarriesTheBuildLog() {
        OpenClBackend cl = OpenClSupport.backendOrSkip();
        OpenClKernelException e = assertThrows(OpenClKernelException.class,
                () -> cl.programs().compile("broken.cl", new String[] {"__kernel void broken(__global float* x) { x[0] = y; }"}, ""));
        assertTrue(e.getMessage().contains("broken.cl") && e.getMessage().contains("build log"), e.getMessage());
        assertTrue(e.getMessage().contains("y"), "the log names the undeclared identifier: " + e.getMessage());
    }
}
