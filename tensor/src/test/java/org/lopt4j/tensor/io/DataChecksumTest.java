package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** A checksummed file reads back as written, and any changed byte of its data section is refused on read. */
class DataChecksumTest {
    @TempDir Path dir;
    private final Backend b = ScalarBackend.INSTANCE;

    private Path written() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(b, new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t.put("d", Tensor.of(b, new double[] {0.25, -1e300}, 2));
        t.put("big", Tensor.zeros(b, DType.F32, 300_000));           // more than one buffer of the writer
        Path p = dir.resolve("c.safetensors");
        SafeTensors.write(p, t, Map.of("step", "3", DataChecksum.KEY, "given values are replaced"), true);
        return p;
    }

    @Test void storesTheCrc32cOfTheDataSectionFirstInTheMetadata() throws IOException {
        Path p = written();
        SafeTensors.Header h = SafeTensors.header(p);
        byte[] bytes = Files.readAllBytes(p);
        CRC32C crc = new CRC32C();
        crc.update(bytes, (int) h.dataStart(), (int) h.dataBytes());
        assertEquals(String.format("%08x", crc.getValue()), h.metadata().get(DataChecksum.KEY));
        assertEquals(DataChecksum.KEY, h.metadata().keySet().iterator().next());
        assertEquals("3", h.metadata().get("step"));
        SafeTensors.Contents c = SafeTensors.read(p, b);
        assertArrayEquals(new double[] {0.25, -1e300}, c.tensors().get("d").toDoubleArray());
    }

    @Test void aFlippedDataByteIsRefusedNamingTheFile() throws IOException {
        Path p = written();
        long at = SafeTensors.header(p).dataStart() + 5;
        byte[] bytes = Files.readAllBytes(p);
        bytes[(int) at] ^= 0x10;
        Files.write(p, bytes);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(p, b));
        assertTrue(e.getMessage().startsWith(p + ": data section fails its checksum"), e.getMessage());
        SafeTensors.header(p);                                           // the header alone is still readable
    }

    @Test void filesWithoutAChecksumReadAsBefore() throws IOException {
        Path p = dir.resolve("plain.safetensors");
        SafeTensors.write(p, Map.of("x", Tensor.of(b, new float[] {7}, 1)), Map.of("k", "v"));
        assertEquals(Map.of("k", "v"), SafeTensors.read(p, b).metadata());
        Path empty = dir.resolve("empty.safetensors");
        SafeTensors.write(empty, Map.of(), Map.of(), true);
        assertTrue(Arrays.asList(SafeTensors.read(empty, b).metadata().keySet().toArray()).contains(DataChecksum.KEY));
    }
}
