package org.lopt4j.metatrain.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Whether a run may continue a checkpoint: its config must equal the checkpoint's except in the fields that cannot
 * change the results of the steps still to run (the checkpoint interval, the final evaluation's settings) and the
 * outer-step count, which may grow (extending a finished run) or shrink to no less than the checkpoint's step.
 */
public final class ResumeCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeCheck() {}

    /**
     * Refuses to resume checkpoint {@code file} at outer step {@code step} (config {@code storedJson}) with the config
     * {@code currentJson} when a field outside {@code mayDiffer} differs or its {@code outerSteps} is below
     * {@code step}; the message lists every differing field.
     */
    public static void require(Path file, int step, String storedJson, String currentJson, List<String> mayDiffer) throws IOException {
        require(file, step, storedJson, currentJson, "{}", mayDiffer);
    }

    /**
     * {@link #require(Path, int, String, String, List)}, where a field the stored config lacks (at any depth) counts as
     * its value in {@code defaultsJson}: a checkpoint written before the field existed ran with its default.
     */
    public static void require(Path file, int step, String storedJson, String currentJson, String defaultsJson, List<String> mayDiffer) throws IOException {
        JsonNode stored = withDefaults(JSON.readTree(storedJson), JSON.readTree(defaultsJson)), current = JSON.readTree(currentJson);
        List<String> diff = new ArrayList<>();
        for (Iterator<String> it = current.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!mayDiffer.contains(k) && !current.get(k).equals(stored.get(k))) diff.add(k + " " + stored.get(k) + " in the checkpoint, " + current.get(k) + " now");
        }
        for (Iterator<String> it = stored.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!current.has(k)) diff.add(k + " " + stored.get(k) + " in the checkpoint, absent now");
        }
        if (!diff.isEmpty()) {
            throw new IOException(file + " was written for a different config: " + String.join("; ", diff) + " (only " + String.join(", ", mayDiffer)
                    + " may change on --resume)");
        }
        int outerSteps = current.get("outerSteps").asInt();
        if (outerSteps < step) throw new IOException("outerSteps " + outerSteps + " is below the checkpoint's outer step " + step + " (" + file + ")");
    }

    /** {@code stored} with every field it lacks, in it or in its nested objects, taken from {@code defaults}. */
    static JsonNode withDefaults(JsonNode stored, JsonNode defaults) {
        if (!(stored instanceof ObjectNode s) || !defaults.isObject()) return stored;
        ObjectNode merged = s.deepCopy();
        for (Iterator<String> it = defaults.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            merged.set(k, merged.has(k) ? withDefaults(merged.get(k), defaults.get(k)) : defaults.get(k).deepCopy());
        }
        return merged;
    }
}
