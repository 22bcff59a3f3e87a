package org.lopt4j.tensor.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import org.lopt4j.tensor.Tensor;

/** A little-endian buffered writer into a file channel, used by {@link SafeTensors#write}. */
final class ByteSink {
    private static final int CAPACITY = 1 << 20;

    private final FileChannel ch;
    private final MemorySegment buf = MemorySegment.ofArray(new byte[CAPACITY]);
    private long pos;

    ByteSink(FileChannel ch) { this.ch = ch; }

    void flush() throws IOException {
        ByteBuffer bb = buf.asSlice(0, pos).asByteBuffer();
        while (bb.hasRemaining()) ch.write(bb);
        pos = 0;
    }

    void putLong(long v) throws IOException {
        if (CAPACITY - pos < 8) flush();
        buf.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos, v);
        pos += 8;
    }

    void putBytes(byte[] b) throws IOException { putArray(b, b.length, ValueLayout.JAVA_BYTE); }

    /** The tensor's elements in row-major order, whatever its strides or backend. */
    void putTensor(Tensor t) throws IOException {
        ValueLayout layout = StoredDType.layoutOf(t.dtype());
        switch (t.dtype()) {
            case F32 -> putArray(t.toFloatArray(), t.numel(), layout);
            case F64 -> putArray(t.toDoubleArray(), t.numel(), layout);
            case I32 -> putArray(t.toIntArray(), t.numel(), layout);
        }
    }

    /** Copies {@code length} elements of a primitive array whose component type is {@code layout}'s carrier. */
    private void putArray(Object array, int length, ValueLayout layout) throws IOException {
        long size = layout.byteSize();
        for (int i = 0; i < length; ) {
            if (CAPACITY - pos < size) flush();
            int k = (int) Math.min(length - i, (CAPACITY - pos) / size);
            MemorySegment.copy(array, i, buf, layout, pos, k);
            pos += k * size;
            i += k;
        }
    }
}
