package org.lopt4j.tensor.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.lopt4j.tensor.Tensor;

/** A little-endian buffered writer into a file channel, used by {@link SafeTensors#write}. */
final class ByteSink {
    private final FileChannel ch;
    private final MemorySegment buf;
    private long pos;

    ByteSink(FileChannel ch, MemorySegment buf) {
        this.ch = ch;
        this.buf = buf;
    }

    private void room(long n) throws IOException {
        if (pos + n > buf.byteSize()) flush();
    }

    void flush() throws IOException {
        var bb = buf.asSlice(0, pos).asByteBuffer();
        while (bb.hasRemaining()) ch.write(bb);
        pos = 0;
    }

    void putLong(long v) throws IOException {
        room(8);
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos, v);
        pos += 8;
    }

    void putByte(byte v) throws IOException {
        room(1);
        buf.set(ValueLayout.JAVA_BYTE, pos++, v);
    }

    void putBytes(byte[] b) throws IOException {
        for (byte x : b) putByte(x);
    }

    void putTensor(Tensor t) throws IOException {
        switch (t.dtype()) {
            case F32 -> { for (float v : t.toFloatArray()) { room(4); buf.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos, v); pos += 4; } }
            case F64 -> { for (double v : t.toDoubleArray()) { room(8); buf.set(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos, v); pos += 8; } }
            case I32 -> { for (int v : t.toIntArray()) { room(4); buf.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos, v); pos += 4; } }
        }
    }
}
