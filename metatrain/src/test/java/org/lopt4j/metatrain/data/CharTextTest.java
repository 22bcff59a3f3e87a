package org.lopt4j.metatrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.cpu.ScalarBackend;

class CharTextTest {
    @TempDir Path tmp;

    @Test void vocabularyIdsAndTheNinetyTenSplit() {
        String text = "hello world\n".repeat(10);
        CharText t = CharText.of(text, "test");
        assertEquals("\n dehlorw", t.vocab());
        assertEquals(text, t.decode(0, text.length()));
        assertEquals(108, t.trainEnd(), "floor(0.9 · 120)");
        assertEquals(12, t.length(false));
    }

    @Test void windowsStayInsideTheirPartAndTargetsAreShiftedInputs() {
        CharText t = CharText.of("a".repeat(900) + "b".repeat(100), "ab");  // train = the a's, valid = the b's
        for (int k = 0; k < 20; k++) {
            Batch train = t.batch(ScalarBackend.INSTANCE, 16, 50, true, RandomKey.of(k));
            Batch valid = t.batch(ScalarBackend.INSTANCE, 16, 50, false, RandomKey.of(k));
            assertArrayEquals(new int[] {16, 50}, train.x().shape().dims());
            assertEquals(DType.I32, train.y().dtype());
            for (int v : train.x().toIntArray()) assertEquals(0, v);
            for (int v : train.y().toIntArray()) assertEquals(0, v, "a train window never reaches the validation part");
            for (int v : valid.x().toIntArray()) assertEquals(1, v);
        }
        CharText digits = CharText.of("0123456789".repeat(10), "digits");
        RandomKey key = RandomKey.of(8);
        Batch b = digits.batch(ScalarBackend.INSTANCE, 4, 6, true, key);
        int[] x = b.x().toIntArray(), y = b.y().toIntArray();
        for (int i = 0; i < 4; i++) {
            int start = (int) (key.sample(Op.Dist.UNIFORM, DType.F64, i) * (90 - 6));  // the documented start
            for (int j = 0; j < 6; j++) {
                assertEquals(digits.ids()[start + j], x[i * 6 + j]);
                assertEquals(digits.ids()[start + j + 1], y[i * 6 + j]);
            }
        }
        assertArrayEquals(x, digits.batch(ScalarBackend.INSTANCE, 4, 6, true, key).x().toIntArray(), "same key, same windows");
        assertFalse(Arrays.equals(x, digits.batch(ScalarBackend.INSTANCE, 4, 6, true, RandomKey.of(9)).x().toIntArray()));
        assertThrows(IllegalArgumentException.class, () -> digits.batch(ScalarBackend.INSTANCE, 4, 10, false, key), "10 validation characters");
    }

    @Test void tinyShakespeare() throws Exception {
        Path f = SharedData.dir().resolve("tinyshakespeare/input.txt");
        CharText t = CharText.read(f);
        assertEquals(65, t.vocabSize());
        assertEquals(1_115_394, t.ids().length);
        assertEquals(1_003_854, t.trainEnd());
        assertEquals("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", t.vocab());
        assertEquals("First Citizen:\n", t.decode(0, 15));
    }

    @Test void missingOrTinyFilesAreReported() throws Exception {
        Path missing = tmp.resolve("input.txt");
        IdxTest.assertMessage(() -> CharText.read(missing), missing, "no such file");
        Path tiny = Files.writeString(tmp.resolve("tiny.txt"), "abc");
        IdxTest.assertMessage(() -> CharText.read(tiny), tiny, "3 characters");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CharText.of("ab", "corpus")).getMessage().startsWith("corpus"));
    }
}
