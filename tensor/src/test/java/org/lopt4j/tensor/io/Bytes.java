package org.lopt4j.tensor.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Builds safetensors files byte by byte from the format description, independently of the writer under test. */
final class Bytes {
    private Bytes() {}

    /** 8-byte little-endian length, the header bytes as given (no padding added), then the data. */
    static byte[] file(String header, byte[]... data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] file(byte[] header, byte[]... data) {
        return concat(le64(header.length), header, concat(data));
    }

    /** The header padded with spaces to a multiple of 8 bytes, as the Rust writer does. */
    static String padded(String header) {
        int n = header.getBytes(StandardCharsets.UTF_8).length;
        return header + " ".repeat((8 - n % 8) % 8);
    }

    static byte[] le64(long v) { return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array(); }

    static byte[] f32(float... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) bb.putFloat(x);
        return bb.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) bb.putDouble(x);
        return bb.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) bb.putInt(x);
        return bb.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) bb.putLong(x);
        return bb.array();
    }

    /** 16-bit little-endian words (F16 or BF16 bit patterns). */
    static byte[] u16(int... v) {
        ByteBuffer bb = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) bb.putShort((short) x);
        return bb.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.write(p, 0, p.length);
        return out.toByteArray();
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static byte[] prefix(byte[] all, int n) { return Arrays.copyOf(all, n); }
}
