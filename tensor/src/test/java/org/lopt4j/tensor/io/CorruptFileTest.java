package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.lopt4j.tensor.io.Bytes.f32;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Every malformed file is rejected, by {@code read} and by {@code header}, with a message naming the file and the fault. */
class CorruptFileTest {
    @TempDir Path dir;
    private final Backend b = ScalarBackend.INSTANCE;

    private static final byte[] D16 = f32(1, 2, 3, 4);

    /** A one-tensor header over {@link #D16} with the given entry fields. */
    private static byte[] x(String fields) { return Bytes.file("{\"x\":{" + fields + "}}", D16); }

    private static Arguments bad(String name, byte[] bytes, String... phrases) {
        return Arguments.of(Named.of(name, bytes), phrases);
    }

    static Stream<Arguments> corpus() {
        String ok = "\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]";
        byte[] badUtf8 = Bytes.concat("{\"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff}, "\":1}".getBytes(StandardCharsets.UTF_8));
        byte[] overlong = Bytes.concat("{\"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xc0, (byte) 0xaf}, "\":1}".getBytes(StandardCharsets.UTF_8));
        return Stream.of(
                bad("empty file", new byte[0], "0 bytes, shorter than the 8-byte header length"),
                bad("shorter than 8 bytes", new byte[] {1, 2, 3}, "3 bytes, shorter than the 8-byte header length"),
                bad("absurd header length", Bytes.concat(Bytes.le64(100_000_001), D16), "header length 100000001 is larger than the limit"),
                bad("header length with the top bit set", Bytes.concat(Bytes.le64(-8), D16), "header length 18446744073709551608 is larger"),
                bad("header length past the end", Bytes.concat(Bytes.le64(100), D16), "header length 100 is larger than the 16 bytes after it"),
                bad("zero header length", Bytes.le64(0), "malformed JSON at byte 0"),
                bad("header not UTF-8", Bytes.file(badUtf8, D16), "not valid UTF-8 at byte 2"),
                bad("overlong UTF-8", Bytes.file(overlong, D16), "not valid UTF-8 at byte 2"),
                bad("header not JSON", Bytes.file("{\"x\":", D16), "malformed JSON at byte 5", "file offset 8"),
                bad("trailing text after the JSON", Bytes.file("{} x", D16), "malformed JSON at byte 3"),
                bad("NUL padding", Bytes.file("{}\0\0\0\0\0\0", D16), "malformed JSON at byte 2"),
                bad("header not an object", Bytes.file("[1,2]", D16), "header is not a JSON object"),
                bad("entry not an object", Bytes.file("{\"x\":[1]}", D16), "'x'", "not a JSON object"),
                bad("missing dtype", x("\"shape\":[4],\"data_offsets\":[0,16]"), "'x'", "dtype is missing"),
                bad("dtype not a string", x("\"dtype\":32,\"shape\":[4],\"data_offsets\":[0,16]"), "'x'", "dtype is missing or not a string"),
                bad("unknown dtype", x("\"dtype\":\"U8\",\"shape\":[16],\"data_offsets\":[0,16]"), "'x'", "unsupported dtype U8"),
                bad("lower-case dtype", x("\"dtype\":\"f32\",\"shape\":[4],\"data_offsets\":[0,16]"), "'x'", "unsupported dtype f32"),
                bad("missing shape", x("\"dtype\":\"F32\",\"data_offsets\":[0,16]"), "'x'", "shape is missing"),
                bad("shape not an array", x("\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]"), "'x'", "shape is missing or not an array"),
                bad("negative dimension", x("\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]"), "'x'", "shape dimension 0 = -4 is not an integer"),
                bad("fractional dimension", x("\"dtype\":\"F32\",\"shape\":[4.0],\"data_offsets\":[0,16]"), "only integers are allowed"),
                bad("string dimension", x("\"dtype\":\"F32\",\"shape\":[\"4\"],\"data_offsets\":[0,16]"), "'x'", "shape dimension 0 = \"4\" is not an integer"),
                bad("dimension past int range", x("\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,16]"), "'x'", "not an integer in [0, 2147483647]"),
                bad("zero-size shape given 16 bytes", x("\"dtype\":\"F32\",\"shape\":[65536,65536,0,65536],\"data_offsets\":[0,16]"), "'x'", "needs 0"),
                bad("more elements than an int", x("\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,16]"), "'x'", "more than 2147483647 elements"),
                bad("missing data_offsets", x("\"dtype\":\"F32\",\"shape\":[4]"), "'x'", "data_offsets must be two integers"),
                bad("three data_offsets", x("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8,16]"), "'x'", "data_offsets must be two integers"),
                bad("string data_offsets", x("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[\"0\",\"16\"]"), "'x'", "data_offsets must be two integers"),
                bad("data_offsets past long range", x("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,99999999999999999999]"), "integer out of range"),
                bad("begin after end", x("\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[16,0]"), "'x'", "[16, 0] are not 0 <= begin <= end"),
                bad("negative begin", x("\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]"), "'x'", "not 0 <= begin <= end"),
                bad("size not numel times dtype size", x("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]"), "'x'", "span 16 bytes, but shape [3] of F32 needs 12"),
                bad("end beyond the file", x("\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]"), "'x'", "ends at data byte 32 but the data section has only 16"),
                bad("overlapping tensors", Bytes.file("{\"x\":{" + ok + "},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", D16),
                        "'y'", "bytes [8, 16) overlap tensor 'x' ([0, 16))"),
                bad("the same bytes twice", Bytes.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2)), "overlap"),
                bad("hole at the start", x("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]"), "'x'", "hole in the data section: bytes [0, 8)"),
                bad("hole between tensors", Bytes.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", D16), "'y'", "hole in the data section: bytes [4, 8)"),
                bad("trailing bytes", x("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]"), "8 trailing bytes"),
                bad("data but no tensors", Bytes.file("{}", D16), "16 trailing bytes"),
                bad("duplicate tensor names", Bytes.file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", D16), "duplicate key \"x\""),
                bad("duplicate metadata", Bytes.file("{\"__metadata__\":{},\"__metadata__\":{},\"x\":{" + ok + "}}", D16), "duplicate key \"__metadata__\""),
                bad("metadata not an object", Bytes.file("{\"__metadata__\":[],\"x\":{" + ok + "}}", D16), "__metadata__ is not a JSON object"),
                bad("metadata value not a string", Bytes.file("{\"__metadata__\":{\"k\":1},\"x\":{" + ok + "}}", D16), "value of 'k' is not a string"),
                bad("unknown entry field", x(ok + ",\"offsets\":[0,16]"), "'x'", "unknown field 'offsets'"),
                bad("lone surrogate in a name", Bytes.file("{\"\\ud800\":{" + ok + "}}", D16), "surrogate"),
                bad("deep nesting", Bytes.file("{\"x\":" + "[".repeat(10_000) + "}", D16), "nesting deeper than 128"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRejectedWithAMessageNamingTheFileAndTheFault(byte[] bytes, String[] phrases) throws IOException {
        Path p = Bytes.write(dir, "bad.safetensors", bytes);
        for (var read : java.util.List.<ThrowingRead>of(f -> SafeTensors.read(f, b), SafeTensors::header)) {
            String m = assertThrows(SafeTensorsException.class, () -> read.apply(p)).getMessage();
            assertTrue(m.startsWith(p + ": "), "names the file: " + m);
            for (String phrase : phrases) assertTrue(m.contains(phrase), "expected '" + phrase + "' in: " + m);
        }
    }

    /** A reader call that may throw; lets one test body run {@code read} and {@code header}. */
    private interface ThrowingRead { Object apply(Path p) throws IOException; }

    @Test void missingFilesAndDirectoriesAreNamed() {
        Path absent = dir.resolve("absent.safetensors");
        assertEquals(absent + ": no such file", assertThrows(SafeTensorsException.class, () -> SafeTensors.read(absent, b)).getMessage());
        assertEquals(dir + ": not a regular file", assertThrows(SafeTensorsException.class, () -> SafeTensors.header(dir)).getMessage());
    }

    private byte[] validFile() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.of(b, new float[] {1, 2, 3}, 3));
        t.put("b", Tensor.of(b, new int[] {4}, 1));
        t.put("c", Tensor.of(b, new double[] {5, 6}, 2, 1));
        t.put("e", Tensor.zeros(b, org.lopt4j.tensor.DType.F32, 0));
        Path good = dir.resolve("good.safetensors");
        SafeTensors.write(good, t, Map.of("m", "x"));
        assertEquals(4, SafeTensors.read(good, b).tensors().size());
        return Files.readAllBytes(good);
    }

    @Test void everyTruncationIsRejected() throws IOException {
        byte[] all = validFile();
        for (int n = 0; n < all.length; n++) {
            Path p = Bytes.write(dir, "cut.safetensors", Bytes.prefix(all, n));
            assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p, b), "truncated to " + n + " bytes");
            assertThrows(SafeTensorsException.class, () -> SafeTensors.header(p), "header of a file truncated to " + n + " bytes");
        }
        Path longer = Bytes.write(dir, "long.safetensors", Bytes.concat(all, new byte[1]));
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.read(longer, b)).getMessage().contains("1 trailing bytes"));
    }

    /** Any single-byte change in the header gives either a valid file or a SafeTensorsException, never another failure. */
    @Test void headerByteChangesNeverEscapeAsOtherExceptions() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", Tensor.of(b, new float[] {1}, 1));
        t.put("b", Tensor.of(b, new int[] {2}));
        Path good = dir.resolve("small.safetensors");
        SafeTensors.write(good, t, Map.of("m", "x"));
        byte[] all = Files.readAllBytes(good);
        int headerEnd = (int) SafeTensors.header(good).dataStart();
        byte[] replacements = {'"', '}', ']', ',', '1', '\\', 'x', 0, (byte) 0xff};
        int accepted = 0;
        for (int pos = 8; pos < headerEnd; pos++) {
            for (byte r : replacements) {
                if (all[pos] == r) continue;
                byte[] mutated = all.clone();
                mutated[pos] = r;
                Path p = Bytes.write(dir, "mut.safetensors", mutated);
                try {
                    SafeTensors.read(p, b);
                    accepted++;
                } catch (SafeTensorsException expected) {
                    // rejected with a message: fine
                } catch (RuntimeException | StackOverflowError e) {
                    fail("byte " + pos + " -> " + r + " escaped as " + e, e);
                }
            }
        }
        assertTrue(accepted > 0 && accepted < 40, "only changes inside names and metadata strings stay valid, got " + accepted);
    }

    @Test void aValidFileStillReadsAfterTheCorpus() throws IOException {
        byte[] all = validFile();
        Path p = Bytes.write(dir, "copy.safetensors", all);
        assertArrayEquals(new float[] {1, 2, 3}, SafeTensors.read(p, b).tensors().get("a").toFloatArray());
    }
}
