package org.lopt4j.metatrain.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Command-line options that override config fields, remembering each field's option, so a value the config refuses
 * is reported under the name the user typed ("--outer-steps must be positive, got -2", not "outerSteps …").
 */
final class ConfigOverrides {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, String> options = new LinkedHashMap<>();

    /** Overrides {@code field} by {@code value} when the option {@code option} was given (value non-null). */
    ConfigOverrides put(String field, String option, Object value) {
        if (value != null) {
            values.put(field, value);
            options.put(field, option);
        }
        return this;
    }

    /** {@code with} applied to the overrides; a refused field given as an option is named by its option. */
    <T> T applyTo(Function<Map<String, ?>, T> with) {
        try {
            return with.apply(values);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            for (Map.Entry<String, String> o : options.entrySet()) {
                if (m.startsWith(o.getKey() + " ")) throw new IllegalArgumentException(o.getValue() + m.substring(o.getKey().length()), e);
            }
            throw e;
        }
    }
}
