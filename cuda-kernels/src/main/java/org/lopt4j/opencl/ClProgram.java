package org.lopt4j.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The OpenCL C programs of the backend, shipped as resources beside this class ({@code org/lopt4j/opencl/*.cl}). A
 * generic program is built once per element type (its {@code real_t}); the others once per device. Every program is
 * compiled with common.cl in front of it, then any headers it shares with the CUDA sources (Maven copies those from
 * src/main/cuda onto the class path beside the .cl files).
 */
enum ClProgram {
    ELEMENTWISE("elementwise.cl", true),
    MOVE("move.cl", false),
    REDUCE("reduce.cl", true),
    MATMUL("matmul.cl", true),
    RANDOM("random.cl", true),
    FUSED("fused.cl", true),
    SMALL_FC_LOPT("small_fc_lopt.cl", false, "learned_rule.cuh", "learned.cl"),
    MLP_LOPT("mlp_lopt.cl", false, "learned_rule.cuh", "learned.cl"),
    VELO("velo.cl", false, "learned_rule.cuh", "learned.cl", "small_fc_lopt.cl"),
    L3RS("l3rs.cl", false, "learned_rule.cuh", "learned.cl"),
    NEWTON_SCHULZ("newton_schulz.cl", false, "newton_schulz.cuh"),
    CELO2("celo2.cl", false, "learned_rule.cuh", "newton_schulz.cuh", "celo2.cuh"),
    CIAO("ciao.cl", false, "learned_rule.cuh", "newton_schulz.cuh", "celo2.cuh", "ciao.cuh");

    /** The helpers prepended to every program. */
    static final String COMMON = "common.cl";

    private final String file;
    private final boolean generic;
    private final String[] headers;

    ClProgram(String file, boolean generic, String... headers) {
        this.file = file;
        this.generic = generic;
        this.headers = headers;
    }

    /** The sources to compile, in order: common.cl, the headers shared with the CUDA kernels, the program. */
    String[] sources() {
        String[] s = new String[headers.length + 2];
        s[0] = source(COMMON);
        for (int i = 0; i < headers.length; i++) s[i + 1] = source(headers[i]);
        s[s.length - 1] = source(file);
        return s;
    }

    /** The resource name, e.g. "elementwise.cl". */
    String file() { return file; }

    /** Whether the program is built once per element type (-D LOPT4J_F32 and so on). */
    boolean generic() { return generic; }

    /** The text of {@code name}, a resource beside this class. */
    static String source(String name) {
        try (InputStream in = ClProgram.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("OpenCL source " + name + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading OpenCL source " + name, e);
        }
    }
}
