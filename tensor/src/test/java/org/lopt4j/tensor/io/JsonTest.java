package org.lopt4j.tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test void parsesObjectsArraysStringsIntegersAndLiterals() {
        Object v = Json.parse(" {\"b\": [1, -2, 0, 9223372036854775807, -9223372036854775808], \"a\": {\"x\": \"y\"},"
                + " \"t\": true, \"f\": false, \"n\": null, \"e\": [], \"o\": {}}\n");
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("b", List.of(1L, -2L, 0L, Long.MAX_VALUE, Long.MIN_VALUE));
        want.put("a", Map.of("x", "y"));
        want.put("t", true);
        want.put("f", false);
        want.put("n", null);
        want.put("e", List.of());
        want.put("o", Map.of());
        assertEquals(want, v);
        assertEquals(List.of("b", "a", "t", "f", "n", "e", "o"), List.copyOf(((Map<?, ?>) v).keySet()), "key order is kept");
    }

    @Test void decodesEveryEscape() {
        assertEquals("\" \\ / \b \f \n \r \t A é \uD83D\uDE00 \u0000",
                Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00E9 \\ud83d\\ude00 \\u0000\""));
        assertEquals("é\uD83D\uDE00", Json.parse("\"é\uD83D\uDE00\""), "raw non-ASCII passes through");
    }

    @Test void quoteRoundTripsAndEscapesAsSerdeJson() {
        String nasty = "q\"b\\s/\b\f\n\r\t\u0001\u001f\u007fé\uD83D\uDE00";
        assertEquals("\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\u007fé\uD83D\uDE00\"", Json.quote(nasty));
        assertEquals(nasty, Json.parse(Json.quote(nasty)));
    }

    /** Each malformed text is rejected with the byte (UTF-8, from the start) where the problem was found. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            empty                 | ``                               | 0  | unexpected end
            unterminated object   | {"a":1                           | 6  | unexpected end
            missing colon         | {"a" 1}                          | 5  | expected ':'
            missing comma         | [1 2]                            | 3  | expected ',' or ']'
            trailing comma        | [1,]                             | 3  | unexpected character ']'
            trailing text         | {} x                             | 3  | trailing characters
            unquoted key          | {a:1}                            | 1  | expected a string key
            duplicate key         | {"a":1,"a":2}                    | 7  | duplicate key "a"
            fraction              | [1.5]                            | 2  | only integers
            exponent              | [1e3]                            | 2  | only integers
            leading zero          | [01]                             | 1  | leading zero
            lone minus            | [-]                              | 2  | expected a digit
            plus sign             | [+1]                             | 1  | unexpected character '+'
            too large             | [9223372036854775808]            | 1  | out of range
            non-ASCII digit       | [١]                              | 1  | unexpected character
            bad literal           | [tru]                            | 1  | expected true
            single quotes         | ['a']                            | 1  | unexpected character
            bad escape            | ["\\x"]                          | 2  | bad escape
            short unicode escape  | ["\\u12"]                        | 6  | four hex digits
            signed unicode escape | ["\\u+123"]                      | 4  | four hex digits
            lone low surrogate    | ["\\udc00"]                      | 8  | lone low surrogate
            lone high surrogate   | ["\\ud800x"]                     | 8  | high surrogate
            unterminated string   | ["abc                            | 5  | unexpected end
            byte not char offset  | {"é": x}                         | 7  | unexpected character 'x'
            """)
    void rejectsMalformed(String what, String text, int at, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text), what);
        assertTrue(e.getMessage().contains("at byte " + at + ":") && e.getMessage().contains(message), what + ": " + e.getMessage());
    }

    @Test void rejectsControlCharactersInStrings() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("\"a\nb\"")).getMessage().contains("control character"));
    }

    @Test void nestingIsBoundedInsteadOfOverflowingTheStack() {
        char[] open = new char[100_000];
        Arrays.fill(open, '[');
        String e = assertThrows(IllegalArgumentException.class, () -> Json.parse(new String(open))).getMessage();
        assertTrue(e.contains("nesting deeper than " + Json.MAX_DEPTH), e);
        int max = Json.MAX_DEPTH;
        assertTrue(Json.parse("[".repeat(max) + "]".repeat(max)) instanceof List<?>, "the limit itself is allowed");
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[".repeat(max + 1) + "]".repeat(max + 1)));
    }
}
