package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/** Writes replace the target in one step: a failure at any point leaves the old file intact and no temporary file. */
class AtomicWriteTest {
    @TempDir Path dir;
    private final Backend b = ScalarBackend.INSTANCE;
    private Path target;
    private byte[] before;

    @BeforeEach void writeAnOldFile() throws IOException {
        target = dir.resolve("keep.safetensors");
        SafeTensors.write(target, Map.of("old", Tensor.of(b, new float[] {1, 2}, 2)), Map.of("v", "1"));
        before = Files.readAllBytes(target);
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) { return s.sorted().toList(); }
    }

    private void assertUntouched() throws IOException {
        assertArrayEquals(before, Files.readAllBytes(target), "old file intact");
        assertEquals(List.of(target), files(), "no temporary file left behind");
    }

    @Test void successReplacesTheFileAndLeavesNothingElse() throws IOException {
        SafeTensors.write(target, Map.of("new", Tensor.of(b, new int[] {3}, 1)), Map.of());
        assertEquals(List.of("new"), List.copyOf(SafeTensors.read(target, b).tensors().keySet()));
        assertEquals(List.of(target), files());
    }

    @Test void aFailureWhileWritingTheDataRemovesTheTemporaryFile() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("fine", Tensor.of(b, new float[] {5}, 1));
        t.put("lost", Tensor.of(BrokenBackend.INSTANCE, new float[] {6}, 1));   // fails when its data is read
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensors.write(target, t, Map.of()));
        assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
        assertUntouched();
    }

    @Test void aTensorThatCannotBeNamedIsRejectedBeforeAnythingIsWritten() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("ok", Tensor.of(b, new float[] {2}, 1));
        t.put("__metadata__", Tensor.of(b, new float[] {3}, 1));
        String m = assertThrows(SafeTensorsException.class, () -> SafeTensors.write(target, t, Map.of())).getMessage();
        assertTrue(m.contains(target.toString()) && m.contains("__metadata__"), m);
        assertUntouched();

        Map<String, Tensor> surrogate = Map.of("bad\uD800", Tensor.of(b, new float[] {3}, 1));
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.write(target, surrogate, Map.of()))
                .getMessage().contains("lone surrogate"));
        assertThrows(SafeTensorsException.class, () -> SafeTensors.write(target, Map.of(), Map.of("k", "\uDC00")));
        assertUntouched();
    }

    @Test void aFailedRenameRemovesTheTemporaryFile() throws IOException {
        Path busy = dir.resolve("busy");
        Files.createDirectories(busy.resolve("inside"));
        assertThrows(IOException.class, () -> SafeTensors.write(busy, Map.of("x", Tensor.of(b, new float[] {1}, 1)), Map.of()));
        assertTrue(Files.isDirectory(busy.resolve("inside")), "the non-empty directory in the way is untouched");
        Files.delete(busy.resolve("inside"));
        Files.delete(busy);
        assertUntouched();
    }

    @Test void theNewFileGetsTheUsualPermissionsNotATempFilesOwnerOnly() throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) return;
        Path plain = Files.write(dir.resolve("plain"), new byte[0]);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(target));
    }
}
