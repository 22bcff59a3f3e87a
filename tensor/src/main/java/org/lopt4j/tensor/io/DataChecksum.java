package org.lopt4j.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A CRC-32C of a safetensors file's data section, in its metadata under {@link #KEY} (8 hex digits), so a changed
 * byte of tensor data is refused on load instead of read as other values. The entry comes first in
 * {@code __metadata__}: its value sits at a fixed header offset and is filled in once the data is written.
 */
public final class DataChecksum {
    /** Metadata key of the checksum. */
    public static final String KEY = "data_crc32c";
    private static final int VALUE_AT = 8 + ("{\"__metadata__\":{\"" + KEY + "\":\"").length();

    private DataChecksum() {}

    /** {@code metadata} with a placeholder checksum first (replacing any entry of that name). */
    static Map<String, String> withPlaceholder(Map<String, String> metadata) {
        Map<String, String> m = new LinkedHashMap<>(Map.of(KEY, "00000000"));
        metadata.forEach((k, v) -> { if (!k.equals(KEY)) m.put(k, v); });
        return m;
    }

    /** Writes the checksum of the data section, bytes {@code [dataStart, size)} of {@code ch}, over the placeholder. */
    static void fill(FileChannel ch, long dataStart) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            ByteBuffer v = ByteBuffer.wrap(of(ch.map(FileChannel.MapMode.READ_ONLY, dataStart, ch.size() - dataStart, a)).getBytes(StandardCharsets.US_ASCII));
            while (v.hasRemaining()) ch.write(v, VALUE_AT + v.position());
        }
    }

    private static String of(MemorySegment data) {
        CRC32C crc = new CRC32C();
        for (long at = 0, chunk = 1 << 30; at < data.byteSize(); at += chunk) crc.update(data.asSlice(at, Math.min(chunk, data.byteSize() - at)).asByteBuffer());
        return String.format("%08x", crc.getValue());
    }

    /** Checks {@code data} against the metadata's checksum, when the file carries one. */
    static void verify(Path file, Map<String, String> metadata, MemorySegment data) throws SafeTensorsException {
        String stored = metadata.get(KEY), actual = stored == null ? null : of(data);
        if (stored != null && !actual.equalsIgnoreCase(stored)) {
            throw new SafeTensorsException(file, "data section fails its checksum (" + KEY + " " + stored + " stored, " + actual + " computed): the file is corrupt");
        }
    }
}
