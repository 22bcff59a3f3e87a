package org.lopt4j.metatrain.outer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/**
 * Config validation in the user's words: each check names the field and the value it got ("outerSteps must be
 * positive, got -2"), and a record built from JSON reports its own check's message instead of Jackson's account of
 * the constructor call.
 */
public final class ConfigChecks {
    private ConfigChecks() {}

    /** Refuses a count below 1. */
    public static void positive(String field, long value) {
        if (value < 1) throw new IllegalArgumentException(field + " must be positive, got " + value);
    }

    /** Refuses a value that is not a finite number above 0 (learning rates, standard deviations). */
    public static void finitePositive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(field + " must be a finite number above 0, got " + value);
    }

    /** Refuses a value that is not a finite number ≥ 0 (multipliers whose 0 means off). */
    public static void finiteNotNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) throw new IllegalArgumentException(field + " must be a finite number ≥ 0, got " + value);
    }

    /** Refuses NaN and negative values (∞ is allowed: "never"). */
    public static void notNegative(String field, double value) {
        if (!(value >= 0)) throw new IllegalArgumentException(field + " must be ≥ 0, got " + value);
    }

    /** {@code fields} as a {@code type}; a failing check is rethrown with its own message. */
    public static <T> T convert(ObjectMapper json, Map<String, Object> fields, Class<T> type) {
        try {
            return json.convertValue(fields, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(rootMessage(e), e);
        }
    }

    /** {@code config} with the fields named in {@code overrides} replaced and checked again; an unknown field name is an error. */
    @SuppressWarnings("unchecked")
    public static <T> T with(ObjectMapper json, T config, Map<String, ?> overrides, Class<T> type) {
        Map<String, Object> base = json.convertValue(config, Map.class);
        for (String k : overrides.keySet()) {
            if (!base.containsKey(k)) throw new IllegalArgumentException("unknown config field '" + k + "'; fields: " + base.keySet());
        }
        base.putAll(overrides);
        return convert(json, base, type);
    }

    /**
     * Reads a JSON object from {@code file} and lays it {@code over} the defaults; a malformed file or a failing check
     * is an IOException naming the file.
     */
    @SuppressWarnings("unchecked")
    public static <T> T read(ObjectMapper json, java.nio.file.Path file, java.util.function.Function<Map<String, ?>, T> over) throws java.io.IOException {
        try {
            return over.apply((Map<String, ?>) json.readValue(file.toFile(), Map.class));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new java.io.IOException("config " + file + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new java.io.IOException("config " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code config} as one JSON object. */
    public static String toJson(ObjectMapper json, Object config) {
        try {
            return json.writeValueAsString(config);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The innermost cause's message: the check that failed, not the layers that called it. */
    public static String rootMessage(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) c = c.getCause();
        String m = c.getMessage() != null ? c.getMessage() : c.toString();
        int cut = m.indexOf("\n at [Source");                           // Jackson appends where in its input it was
        return cut >= 0 ? m.substring(0, cut) : m;
    }
}
