package org.lopt4j.tensor.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader and writer for the JSON subset of safetensors headers (RFC 8259 without fractions or exponents):
 * objects, arrays, strings with every escape, integers and the literals true/false/null. Anything else, a duplicate
 * key, a lone surrogate or nesting deeper than {@link #MAX_DEPTH} is an error naming the byte where it was found.
 */
public final class Json {
    /** Deepest nesting accepted (serde_json's limit); keeps a hostile header from overflowing the stack. */
    static final int MAX_DEPTH = 128;

    private final String s;
    private int i;
    private int depth;

    private Json(String s) { this.s = s; }

    /** Parses one JSON value filling the whole text; objects keep key order; integers become Long. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != text.length()) throw p.error("trailing characters after the value");
        return v;
    }

    /** An error at the current position, given in UTF-8 bytes from the start of the text. */
    private IllegalArgumentException error(String what) {
        int at = s.substring(0, Math.min(i, s.length())).getBytes(StandardCharsets.UTF_8).length;
        return new IllegalArgumentException("malformed JSON at byte " + at + ": " + what);
    }

    private void ws() { while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++; }

    private char peek(String expected) {
        if (i >= s.length()) throw error("unexpected end, expected " + expected);
        return s.charAt(i);
    }

    private Object value() {
        char c = peek("a value");
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || isDigit(c)) yield number();
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) throw error("expected " + word);
        i += word.length();
        return v;
    }

    private Long number() {
        int start = i;
        if (s.charAt(i) == '-') i++;
        int digits = i;
        while (i < s.length() && isDigit(s.charAt(i))) i++;
        if (i == digits) throw error("expected a digit");
        if (s.charAt(digits) == '0' && i - digits > 1) { i = digits; throw error("leading zero in a number"); }
        if (i < s.length() && ".eE".indexOf(s.charAt(i)) >= 0) throw error("only integers are allowed");
        try {
            return Long.parseLong(s.substring(start, i));
        } catch (NumberFormatException e) {
            i = start;
            throw error("integer out of range");
        }
    }

    private String string() {
        i++; // opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = peek("'\"' closing the string");
            i++;
            if (c == '"') return b.toString();
            if (c < 0x20) { i--; throw error("unescaped control character in a string"); }
            if (c != '\\') { b.append(c); continue; }
            char e = peek("an escape");
            i++;
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> b.append(unicodeEscape());
                default -> { i -= 2; throw error("bad escape \\" + e); }
            }
        }
    }

    /** The character(s) of a backslash-u escape whose "\\u" has been read; a surrogate must come in a pair. */
    private String unicodeEscape() {
        char c = hex4();
        if (Character.isLowSurrogate(c)) throw error("lone low surrogate in a \\u escape");
        if (!Character.isHighSurrogate(c)) return String.valueOf(c);
        if (!s.startsWith("\\u", i)) throw error("high surrogate not followed by a \\u low surrogate");
        i += 2;
        char low = hex4();
        if (!Character.isLowSurrogate(low)) throw error("high surrogate not followed by a low surrogate");
        return new String(new char[] {c, low});
    }

    private char hex4() {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            char h = peek("four hex digits");
            int d = h <= 'f' ? Character.digit(h, 16) : -1;   // ASCII hex only, not Unicode digits
            if (d < 0) throw error("expected four hex digits in a \\u escape");
            v = v * 16 + d;
            i++;
        }
        return (char) v;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        i++;
        ws();
    }

    private List<Object> array() {
        enter();
        List<Object> out = new ArrayList<>();
        if (peek("a value or ']'") == ']') { i++; depth--; return out; }
        while (true) {
            ws();
            out.add(value());
            ws();
            char c = peek("',' or ']'");
            i++;
            if (c == ']') { depth--; return out; }
            if (c != ',') { i--; throw error("expected ',' or ']'"); }
        }
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> out = new LinkedHashMap<>();
        if (peek("a key or '}'") == '}') { i++; depth--; return out; }
        while (true) {
            ws();
            if (peek("a string key") != '"') throw error("expected a string key");
            int keyAt = i;
            String k = string();
            if (out.containsKey(k)) { i = keyAt; throw error("duplicate key " + quote(k)); }
            ws();
            if (peek("':'") != ':') throw error("expected ':'");
            i++;
            ws();
            out.put(k, value());
            ws();
            char c = peek("',' or '}'");
            i++;
            if (c == '}') { depth--; return out; }
            if (c != ',') { i--; throw error("expected ',' or '}'"); }
        }
    }

    /** A JSON string literal for {@code v}, escaped as serde_json does (so headers match the Rust writer's bytes). */
    static String quote(String v) {
        StringBuilder b = new StringBuilder("\"");
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
