package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;
import org.lopt4j.cuda.KernelConstants;
import org.lopt4j.cuda.KernelSpec;
import org.lopt4j.cuda.Kernels;

/**
 * Holds the CUDA sources and their Java side together, without a GPU (STYLE §3.4, rule 9): every
 * {@code extern "C" __global__} entry point in cuda-kernels/src/main/cuda has a {@link KernelSpec} whose argument
 * record lists its parameters by name (snake_case in C, camelCase in Java), order and type, and vice versa; the
 * structs of common.cuh match their records; the {@code #define}s and {@code enum}s Java relies on have the values
 * of {@link KernelConstants}; each .cu names its Java twin; each committed PTX carries the hash of its current source.
 */
class KernelTwinsTest {
    private static final Pattern KERNEL = Pattern.compile(
            "extern\\s+\"C\"\\s+__global__\\s+void\\s+(?:__launch_bounds__\\s*\\([^)]*\\)\\s*)?(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern STRUCT = Pattern.compile("struct\\s+(\\w+)\\s*\\{([^}]*)}");
    private static final Pattern ENUM = Pattern.compile("enum\\s+\\w+\\s*\\{([^}]*)}");
    private static final Pattern DEFINE = Pattern.compile("(?m)^\\s*#\\s*define\\s+(\\w+)\\s+\\(?(-?\\d+)\\)?\\s*$");
    private static final Pattern INCLUDE = Pattern.compile("(?m)^\\s*#\\s*include\\s*\"([^\"]+)\"");
    private static final Pattern HASH_LINE = Pattern.compile("// src-sha256: ([0-9a-f]{64})");

    /** One source file: its name (e.g. "elementwise.cu") and text. */
    record Source(String name, String text) {
        String base() { return name.substring(0, name.lastIndexOf('.')); }
    }

    /** One kernel parameter as C declares it. */
    record Param(String type, String name) {}

    static Path cudaDir() { return ProjectRoot.find().resolve("cuda-kernels/src/main/cuda"); }

    static Path ptxDir() { return ProjectRoot.find().resolve("cuda-kernels/src/main/resources/org/lopt4j/cuda/ptx"); }

    static List<Source> sources() throws IOException {
        try (Stream<Path> s = Files.list(cudaDir())) {
            List<Source> out = new ArrayList<>();
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".cu") || n.endsWith(".cuh")) out.add(new Source(n, Files.readString(p)));
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ the checks, as functions of the texts

    /** Kernel entry points vs {@code specs}: every difference, one line each (empty when they agree). */
    static List<String> kernelProblems(List<Source> sources, List<KernelSpec> specs) {
        List<String> problems = new ArrayList<>();
        Map<String, KernelSpec> byName = new LinkedHashMap<>();
        for (KernelSpec s : specs) if (byName.put(s.name(), s) != null) problems.add("kernel " + s.name() + " listed twice");
        Map<String, String> seen = new LinkedHashMap<>();
        for (Source src : sources) {
            Matcher m = KERNEL.matcher(stripComments(src.text()));
            while (m.find()) {
                String name = m.group(1);
                if (seen.put(name, src.name()) != null) problems.add("kernel " + name + " defined twice");
                if (!name.startsWith(src.base() + "_")) problems.add("kernel " + name + " in " + src.name() + " is not named <file>_<phase>");
                KernelSpec spec = byName.get(name);
                if (spec == null) {
                    problems.add("kernel " + name + " (" + src.name() + ") has no KernelSpec / args record in Kernels.ALL");
                    continue;
                }
                if (!spec.ptxFile().equals(src.base() + ".ptx")) problems.add("kernel " + name + " is in " + src.name() + " but its spec says " + spec.ptxFile());
                problems.addAll(compare(name, params(m.group(2)), spec.args()));
            }
        }
        for (String name : byName.keySet()) {
            if (!seen.containsKey(name)) problems.add("args record for " + name + " has no kernel in the .cu sources");
        }
        return problems;
    }

    /** A kernel's parameters against its record's components: count, names (snake -> camel), order and types. */
    static List<String> compare(String kernel, List<Param> params, Class<? extends Record> record) {
        List<String> problems = new ArrayList<>();
        RecordComponent[] rc = record.getRecordComponents();
        if (rc.length != params.size()) {
            problems.add(kernel + ": " + params.size() + " parameters in C, " + rc.length + " components in " + record.getSimpleName());
        }
        for (int i = 0; i < Math.min(rc.length, params.size()); i++) {
            Param p = params.get(i);
            String want = camel(p.name());
            if (!rc[i].getName().equals(want)) {
                problems.add(kernel + " parameter " + i + ": C " + p.name() + " (Java " + want + "), record has " + rc[i].getName());
            }
            Class<?> type = javaType(p.type());
            if (rc[i].getType() != type) {
                problems.add(kernel + " parameter " + p.name() + ": C type '" + p.type() + "' needs " + (type == null ? "a known type" : type.getSimpleName())
                        + ", record has " + rc[i].getType().getSimpleName());
            }
        }
        return problems;
    }

    /** Struct fields of common.cuh against the records in Kernels.STRUCTS. */
    static List<String> structProblems(List<Source> sources) {
        List<String> problems = new ArrayList<>();
        Map<String, Class<? extends Record>> records = new LinkedHashMap<>();
        for (Class<? extends Record> r : Kernels.STRUCTS) records.put(r.getSimpleName(), r);
        for (Source src : sources) {
            Matcher m = STRUCT.matcher(stripComments(src.text()));
            while (m.find()) {
                Class<? extends Record> r = records.remove(m.group(1));
                if (r == null) continue;   // a struct private to a kernel (e.g. Philox4) needs no twin
                List<Param> fields = new ArrayList<>();
                for (String f : m.group(2).split(";")) {
                    if (f.isBlank()) continue;
                    boolean array = f.contains("[");
                    Param p = param(f.replaceAll("\\[[^]]*]", ""));
                    fields.add(new Param(p.type() + (array ? "[]" : ""), p.name()));
                }
                problems.addAll(compare("struct " + m.group(1), fields, r));
            }
        }
        for (String missing : records.keySet()) problems.add("record " + missing + " has no struct in the sources");
        return problems;
    }

    /** KernelConstants.all() against the sources' #defines and enumerators; every enumerator must have a Java twin. */
    static List<String> constantProblems(List<Source> sources, Map<String, Integer> java) {
        Map<String, Integer> c = new LinkedHashMap<>();
        Map<String, Integer> enumerators = new LinkedHashMap<>();
        for (Source src : sources) {
            String t = stripComments(src.text());
            Matcher d = DEFINE.matcher(t);
            while (d.find()) c.put(d.group(1), Integer.parseInt(d.group(2)));
            Matcher e = ENUM.matcher(t);
            while (e.find()) {
                for (String item : e.group(1).split(",")) {
                    if (item.isBlank()) continue;
                    String[] kv = item.split("=");
                    enumerators.put(kv[0].trim(), Integer.parseInt(kv[1].trim()));
                }
            }
        }
        c.putAll(enumerators);
        List<String> problems = new ArrayList<>();
        java.forEach((name, v) -> {
            if (!c.containsKey(name)) problems.add(name + " = " + v + " in KernelConstants is not defined in the sources");
            else if (!c.get(name).equals(v)) problems.add(name + " is " + c.get(name) + " in C but " + v + " in KernelConstants");
        });
        for (String name : enumerators.keySet()) if (!java.containsKey(name)) problems.add("enumerator " + name + " has no KernelConstants twin");
        return problems;
    }

    /** The PTX hash: SHA-256 of the .cu followed by each header it #includes "...", in order (build-ptx.sh). */
    static String sourceHash(Path cuDir, String cuName) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] cu = Files.readAllBytes(cuDir.resolve(cuName));
            md.update(cu);
            Matcher m = INCLUDE.matcher(new String(cu, StandardCharsets.UTF_8));
            while (m.find()) md.update(Files.readAllBytes(cuDir.resolve(m.group(1))));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ parsing helpers

    static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", "");
    }

    static List<Param> params(String list) {
        List<Param> out = new ArrayList<>();
        for (String p : list.split(",")) if (!p.isBlank()) out.add(param(p));
        return out;
    }

    /** "const float* __restrict__ x" -> ("const float*", "x"). */
    static Param param(String decl) {
        String d = decl.replace("*", " * ").trim().replaceAll("\\s+", " ");
        int cut = d.lastIndexOf(' ');
        return new Param(d.substring(0, cut).replace(" *", "*").trim(), d.substring(cut + 1));
    }

    /** The Java component type a C parameter type needs, or null when none is known. */
    static Class<?> javaType(String cType) {
        if (cType.contains("*")) return CUdeviceptr.class;
        String t = cType.replace("const", "").replace("__restrict__", "").trim().replaceAll("\\s+", " ");
        return switch (t) {
            case "int", "unsigned int", "unsigned" -> int.class;
            case "long long", "unsigned long long" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            case "int[]", "unsigned int[]" -> int[].class;
            case "long long[]" -> long[].class;
            default -> Kernels.STRUCTS.stream().filter(r -> r.getSimpleName().equals(t)).findFirst().orElse(null);
        };
    }

    static String camel(String snake) {
        String[] parts = snake.split("_");
        StringBuilder sb = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].isEmpty()) sb.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i].substring(1));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ tests

    @Test void everyKernelHasItsArgsRecordAndEveryRecordItsKernel() throws IOException {
        List<String> problems = kernelProblems(sources(), Kernels.ALL);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test void structsAndSharedConstantsAgree() throws IOException {
        List<String> problems = new ArrayList<>(structProblems(sources()));
        problems.addAll(constantProblems(sources(), KernelConstants.all()));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test void everyCommittedPtxMatchesItsSource() throws IOException {
        List<String> stale = new ArrayList<>();
        List<String> cus = sources().stream().map(Source::name).filter(n -> n.endsWith(".cu")).toList();
        for (String cu : cus) {
            Path ptx = ptxDir().resolve(cu.replace(".cu", ".ptx"));
            if (!Files.exists(ptx)) {
                stale.add(cu + ": no committed PTX " + ptx);
                continue;
            }
            String first;
            try (Stream<String> lines = Files.lines(ptx)) {
                first = lines.findFirst().orElse("");
            }
            Matcher m = HASH_LINE.matcher(first);
            String want = sourceHash(cudaDir(), cu);
            if (!m.matches()) stale.add(ptx.getFileName() + " does not start with '// src-sha256: <hex>'");
            else if (!m.group(1).equals(want)) stale.add(ptx.getFileName() + " is stale: built from " + m.group(1) + ", source is " + want);
        }
        try (Stream<Path> s = Files.list(ptxDir())) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ptx"))
                    .filter(n -> !cus.contains(n.replace(".ptx", ".cu"))).forEach(n -> stale.add(n + " has no .cu source"));
        }
        assertTrue(stale.isEmpty(), "run cuda-kernels/build-ptx.sh and commit the PTX:\n" + String.join("\n", stale));
    }

    @Test void everyKernelFileNamesItsJavaTwin() throws IOException {
        for (Source s : sources()) {
            if (!s.name().endsWith(".cu")) continue;
            String header = s.text().lines().takeWhile(l -> l.startsWith("//")).reduce("", (a, b) -> a + b + "\n");
            assertTrue(header.contains("Java twin"), s.name() + " must name its Java twin in its header comment");
        }
    }

    @Test void theChecksCatchDrift() throws IOException {
        List<Source> real = sources();
        List<Source> renamed = real.stream().map(s -> new Source(s.name(),
                s.text().replace("unsigned int* out, Dims dims, View out_v, long long n,", "unsigned int* out, Dims dims, View out_view, long long n,"))).toList();
        assertFalse(kernelProblems(renamed, Kernels.ALL).isEmpty(), "a renamed parameter is caught");
        List<Source> swapped = real.stream().map(s -> new Source(s.name(),
                s.text().replace("long long n, unsigned int key0,", "long long n, float key0,"))).toList();
        assertFalse(kernelProblems(swapped, Kernels.ALL).isEmpty(), "a changed parameter type is caught");
        List<Source> extra = new ArrayList<>(real);
        extra.add(new Source("gather.cu", "extern \"C\" __global__ void gather_more(float* out) {}"));
        assertEquals(1, kernelProblems(extra, Kernels.ALL).size(), "a kernel without a record is caught");
        assertFalse(kernelProblems(real, Kernels.ALL.subList(1, Kernels.ALL.size())).isEmpty(), "a kernel whose spec is gone is caught");
        assertFalse(constantProblems(real, Map.of("SGEMM_BM", 32)).isEmpty(), "a constant that drifted is caught");
        assertEquals(new Param("const float*", "x"), param(" const float * __restrict__x ".replace("__restrict__x", "x")));
        assertEquals("xKeptV", camel("x_kept_v"));
    }
}
