package org.lopt4j.metatrain.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A resumed run may change only the fields that cannot change its results, and may extend a finished run. */
class ResumeCheckTest {
    static final Path F = Path.of("ck.safetensors");
    static final List<String> MAY = List.of("outerSteps", "checkpointSeconds");

    @Test void resultNeutralFieldsAndALongerRunPass() throws IOException {
        ResumeCheck.require(F, 8, "{\"seed\":1,\"outerSteps\":8,\"checkpointSeconds\":60}", "{\"seed\":1,\"outerSteps\":20,\"checkpointSeconds\":0}", MAY);
        ResumeCheck.require(F, 8, "{\"seed\":1,\"outerSteps\":30}", "{\"seed\":1,\"outerSteps\":8}", MAY);
    }

    @Test void otherChangesAndTooFewStepsAreRefused() {
        assertEquals(F + " was written for a different config: seed 1 in the checkpoint, 2 now (only outerSteps, checkpointSeconds may change on --resume)",
                assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, "{\"seed\":1,\"outerSteps\":8}", "{\"seed\":2,\"outerSteps\":8}", MAY)).getMessage());
        assertEquals("outerSteps 5 is below the checkpoint's outer step 8 (" + F + ")",
                assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, "{\"outerSteps\":8}", "{\"outerSteps\":5}", MAY)).getMessage());
    }
}
