package org.lopt4j.metatrain.outer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.lopt4j.optim.OptState;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.Tensor;

/**
 * An estimator's worker state as bytes, for engines that ship units to other JVMs: the unroll's parameter and
 * optimizer slabs (float32, exact), its counters, and the PES accumulators (float64). Decoding lays the values into a
 * fresh state of the same recipe, so layouts are never transmitted, only checked by length.
 */
public final class StateCodec {
    private static final int MAGIC = 0x4c4f5331;                                       // "LOS1"

    private StateCodec() {}

    public static byte[] encode(EstimatorState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeBoolean(s.task() != null);
            if (s.task() != null) {
                out.writeInt(s.task().k0());
                out.writeInt(s.task().k1());
            }
            UnrollState u = s.unroll();
            out.writeBoolean(u != null);
            if (u != null) {
                floats(out, u.params().flat().toFloatArray());
                out.writeInt(u.opt().buffers().size());
                for (Map.Entry<String, Slab> e : u.opt().buffers().entrySet()) {
                    out.writeUTF(e.getKey());
                    floats(out, e.getValue().flat().toFloatArray());
                }
                out.writeInt(u.opt().step());
                out.writeInt(u.opt().skipped());
                ints(out, u.iteration());
                ints(out, u.optStep());
                ints(out, u.length());
                out.writeInt(u.done().length);
                for (boolean d : u.done()) out.writeBoolean(d);
                ints(out, u.taskKeys());
            }
            out.writeBoolean(s.accumulators() != null);
            if (s.accumulators() != null) {
                out.writeInt(s.accumulators().length);
                for (double[] a : s.accumulators()) {
                    out.writeInt(a.length);
                    for (double x : a) out.writeDouble(x);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The state {@code bytes} encode, laid into a fresh state of {@code r}'s estimator at θ. */
    public static EstimatorState decode(byte[] bytes, Recipe r, double[] theta) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new IOException("not an encoded estimator state");
            RandomKey task = in.readBoolean() ? new RandomKey(in.readInt(), in.readInt()) : null;
            EstimatorState fresh = r.estimator().blank(theta, task);
            UnrollState u = null;
            if (in.readBoolean()) {
                UnrollState f = fresh.unroll();
                if (f == null) throw new IOException("encoded state has an unroll; this estimator keeps none");
                fill(f.params(), floats(in));
                int n = in.readInt();
                if (n != f.opt().buffers().size()) throw new IOException(n + " optimizer buffers, expected " + f.opt().buffers().size());
                Map<String, Slab> buffers = f.opt().buffers();
                for (int k = 0; k < n; k++) {
                    String name = in.readUTF();
                    Slab slab = buffers.get(name);
                    if (slab == null) throw new IOException("optimizer buffer '" + name + "' is not one of " + buffers.keySet());
                    fill(slab, floats(in));
                }
                OptState<?> opt = f.opt().withCounters(Map.of("step", in.readInt(), "skipped", in.readInt()));
                int[] it = ints(in), os = ints(in), len = ints(in);
                boolean[] done = new boolean[in.readInt()];
                for (int i = 0; i < done.length; i++) done[i] = in.readBoolean();
                u = new UnrollState(f.params(), opt, it, os, len, done, ints(in));
            }
            double[][] acc = null;
            if (in.readBoolean()) {
                acc = new double[in.readInt()][];
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = new double[in.readInt()];
                    for (int j = 0; j < acc[i].length; j++) acc[i][j] = in.readDouble();
                }
            }
            return new EstimatorState(u, acc, task);
        } catch (IOException e) {
            throw new IllegalArgumentException("estimator state: " + e.getMessage(), e);
        }
    }

    private static void fill(Slab s, float[] v) throws IOException {
        if (v.length != s.flat().numel()) throw new IOException("slab of " + v.length + " values, expected " + s.flat().numel());
        s.flat().assign(Tensor.of(s.backend(), v, v.length).to(s.dtype()));
    }

    private static void floats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float x : a) out.writeFloat(x);
    }

    private static float[] floats(DataInputStream in) throws IOException {
        float[] a = new float[in.readInt()];
        for (int i = 0; i < a.length; i++) a[i] = in.readFloat();
        return a;
    }

    private static void ints(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        for (int x : a) out.writeInt(x);
    }

    private static int[] ints(DataInputStream in) throws IOException {
        int[] a = new int[in.readInt()];
        for (int i = 0; i < a.length; i++) a[i] = in.readInt();
        return a;
    }
}
