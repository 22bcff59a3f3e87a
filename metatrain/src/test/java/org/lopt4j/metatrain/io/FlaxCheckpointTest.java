package org.lopt4j.metatrain.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.Backends;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/** Flax msgpack checkpoints written here in the format of velo.md §12 (ExtType 1 arrays, chunked arrays, tuples). */
class FlaxCheckpointTest {
    @TempDir Path dir;
    final Backend b = Backends.best();

    static byte[] arrayPayload(int[] shape, float[] v) throws IOException {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packArrayHeader(3);
        p.packArrayHeader(shape.length);
        for (int d : shape) p.packInt(d);
        p.packString("float32");
        ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) bb.putFloat(x);
        p.packBinaryHeader(bb.capacity());
        p.writePayload(bb.array());
        p.close();
        return p.toByteArray();
    }

    static void packArray(MessageBufferPacker p, int[] shape, float[] v) throws IOException {
        byte[] payload = arrayPayload(shape, v);
        p.packExtensionTypeHeader((byte) 1, payload.length);
        p.writePayload(payload);
    }

    /** A params file for small_fc_lopt: {"params": θ, "gen_id": "...", "step": 7}, w0 stored chunked. */
    Path write(SmallFcLopt lo, Slab theta, boolean chunkW0) throws IOException {
        SlabLayout l = lo.thetaLayout();
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packMapHeader(3);
        p.packString("gen_id");
        p.packString("abc");
        p.packString("params");
        int top = 0;
        for (String n : l.names()) if (!n.startsWith("nn/")) top++;
        p.packMapHeader(top + 1);
        for (int i = 0; i < l.count(); i++) {
            String n = l.names().get(i);
            if (n.startsWith("nn/")) continue;
            p.packString(n);
            packArray(p, l.shape(i).dims(), theta.tensor(i).toFloatArray());
        }
        p.packString("nn");
        p.packMapHeader(1);
        p.packString("~");
        int nn = 0;
        for (String n : l.names()) if (n.startsWith("nn/")) nn++;
        p.packMapHeader(nn);
        for (int i = 0; i < l.count(); i++) {
            String n = l.names().get(i);
            if (!n.startsWith("nn/")) continue;
            p.packString(n.substring("nn/~/".length()));
            float[] v = theta.tensor(i).toFloatArray();
            if (chunkW0 && n.endsWith("/w0")) {
                p.packMapHeader(3);
                p.packString("__msgpack_chunked_array__");
                p.packBoolean(true);
                p.packString("shape");
                p.packMapHeader(2);
                p.packString("0");
                p.packInt(l.shape(i).dim(0));      // flax stores the shape as plain integers
                p.packString("1");
                p.packInt(l.shape(i).dim(1));
                p.packString("chunks");
                p.packMapHeader(2);
                int half = v.length / 2;
                p.packString("0");
                packArray(p, new int[] {half}, java.util.Arrays.copyOf(v, half));
                p.packString("1");
                packArray(p, new int[] {v.length - half}, java.util.Arrays.copyOfRange(v, half, v.length));
            } else {
                packArray(p, l.shape(i).dims(), v);
            }
        }
        p.packString("step");
        p.packInt(7);
        p.close();
        Path f = dir.resolve("params");
        Files.write(f, p.toByteArray());
        return f;
    }

    @Test void readsSmallFcLoptThetaIncludingChunkedArrays() throws Exception {
        SmallFcLopt lo = SmallFcLopt.google();
        Slab theta = lo.initTheta(org.lopt4j.tensor.RandomKey.of(3), b);
        theta.tensor("momentum_decays").assign(Tensor.of(b, new float[] {0.1f, -0.2f, 0.3f}, 3));
        Path f = write(lo, theta, true);
        Map<String, Tensor> leaves = FlaxCheckpoint.read(f, b);
        assertEquals(Shape.of(39, 4), leaves.get("params/nn/~/w0").shape());
        Slab back = FlaxCheckpoint.theta(leaves, "params", lo, b, f);
        assertArrayEquals(theta.flat().toFloatArray(), back.flat().toFloatArray());
        String m = assertThrows(IOException.class, () -> FlaxCheckpoint.theta(leaves, "params", SmallFcLopt.mulo(), b, f)).getMessage();
        assertTrue(m.contains("nn/~/w0") && m.contains("expected [39, 32]"), m);
    }

    @Test void truncatedAndForeignFilesAreRejected() throws Exception {
        SmallFcLopt lo = SmallFcLopt.google();
        byte[] good = Files.readAllBytes(write(lo, lo.initTheta(org.lopt4j.tensor.RandomKey.of(1), b), false));
        Path cut = dir.resolve("cut");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length / 2));
        assertTrue(assertThrows(IOException.class, () -> FlaxCheckpoint.read(cut, b)).getMessage().contains(cut.toString()));
        Path junk = dir.resolve("junk");
        Files.write(junk, new byte[] {(byte) 0xc1, 1, 2});
        assertThrows(IOException.class, () -> FlaxCheckpoint.read(junk, b));
        assertThrows(IOException.class, () -> FlaxCheckpoint.read(dir.resolve("absent"), b));
    }
}
