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

    /** A checkpoint written before a config field existed resumes when the field has its default now, and only then. */
    @Test void fieldsAbsentFromTheCheckpointCountAsTheirDefaults() throws IOException {
        String defaults = "{\"seed\":0,\"outerSteps\":1,\"adamStart\":0.0,\"options\":{\"lr\":1.0,\"linear\":false}}";
        String old = "{\"seed\":1,\"outerSteps\":8,\"options\":{\"lr\":1.0}}";
        ResumeCheck.require(F, 8, old, "{\"seed\":1,\"outerSteps\":8,\"adamStart\":0.0,\"options\":{\"lr\":1.0,\"linear\":false}}", defaults, MAY);
        assertEquals(F + " was written for a different config: adamStart 0.0 in the checkpoint, 6.0 now (only outerSteps, checkpointSeconds may change on --resume)",
                assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, old,
                        "{\"seed\":1,\"outerSteps\":8,\"adamStart\":6.0,\"options\":{\"lr\":1.0,\"linear\":false}}", defaults, MAY)).getMessage());
        assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, old,
                "{\"seed\":1,\"outerSteps\":8,\"adamStart\":0.0,\"options\":{\"lr\":1.0,\"linear\":true}}", defaults, MAY));
        assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, old,
                "{\"seed\":1,\"outerSteps\":8,\"adamStart\":0.0,\"options\":{\"lr\":1.0,\"linear\":false}}", MAY), "without defaults the absent fields differ");
    }

    @Test void otherChangesAndTooFewStepsAreRefused() {
        assertEquals(F + " was written for a different config: seed 1 in the checkpoint, 2 now (only outerSteps, checkpointSeconds may change on --resume)",
                assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, "{\"seed\":1,\"outerSteps\":8}", "{\"seed\":2,\"outerSteps\":8}", MAY)).getMessage());
        assertEquals("outerSteps 5 is below the checkpoint's outer step 8 (" + F + ")",
                assertThrows(IOException.class, () -> ResumeCheck.require(F, 8, "{\"outerSteps\":8}", "{\"outerSteps\":5}", MAY)).getMessage());
    }
}
