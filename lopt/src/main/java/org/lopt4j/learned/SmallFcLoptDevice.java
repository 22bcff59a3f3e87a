package org.lopt4j.learned;

import java.util.ArrayList;
import java.util.List;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.optim.NamedState;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * small_fc_lopt on a device backend: the tables its kernels read, built once per (slab layout, θ, backend) and kept on
 * the device, and the call of {@link FusedOps#smallFcLopt} that runs a step for every tensor of every member. The
 * per-tensor info rows follow learned_rule.cuh's SFL_* fields.
 */
final class SmallFcLoptDevice {
    /** learned_rule.cuh: ints per tensor in the info table, and the field indices. */
    static final int MEMBER = 0, FACTORED = 1, ROW_OFFSET = 2, COL_OFFSET = 3, MEAN_OFFSET = 4, LO0 = 5, SPAN0 = 6,
            LO1 = 7, SPAN1 = 8, LOR = 9, SPANR = 10, N0 = 11, N1 = 12, ROWS = 13, COLS = 14, MEANS = 15, FIELDS = 16;
    /** Floats per member in the decay table, and the widest MLP layer the kernels take. */
    static final int DECAYS = 14, MAX_WIDTH = 64, MAX_LAYERS = 8;
    /** Entries per chunk of the accumulator tables. */
    static final int AUX_CHUNK = 4096;

    private final SlabLayout layout;
    private final Backend backend;
    private final FusedOps.Chunks chunks;
    private final Tensor info, firstChunk, rowTensorOf, rowStartOf, colTensorOf, colStartOf, meanTensorOf, meanStartOf;
    private final Tensor rowMean, theta, decays, timeBuffer;
    private final int meanTotal, thetaStride;

    /** The tables; {@code lo} null for VeLO, whose members' decays are in {@code thetas} (MLP fields null). */
    SmallFcLoptDevice(SmallFcLopt lo, List<SmallFcLopt.Theta> thetas, SlabLayout layout, Backend backend) {
        if (lo != null && (lo.hiddenSize() > MAX_WIDTH || lo.hiddenLayers() + 1 > MAX_LAYERS)) {
            throw new IllegalArgumentException("small_fc_lopt kernels take hidden widths up to " + MAX_WIDTH + " and up to "
                    + (MAX_LAYERS - 1) + " hidden layers, got " + lo.hiddenSize() + " x " + lo.hiddenLayers());
        }
        this.layout = layout;
        this.backend = backend;
        int count = layout.count(), members = thetas.size(), perMember = count / members;
        SlabLayout rl = SmallFcLopt.rowLayout(layout), cl = SmallFcLopt.colLayout(layout);
        int[] table = new int[count * FIELDS];
        List<Shape> rows = new ArrayList<>(), cols = new ArrayList<>(), means = new ArrayList<>();
        int mean = 0;
        for (int t = 0; t < count; t++) {
            int at = t * FIELDS;
            FactoredDims f = FactoredDims.of(layout.shape(t));
            table[at + MEMBER] = t / perMember;
            table[at + ROW_OFFSET] = rl.offset(t);
            table[at + COL_OFFSET] = cl.offset(t);
            if (f == null) {
                rows.add(Shape.of(0));
                cols.add(Shape.of(0));
                means.add(Shape.of(0));
                continue;
            }
            Shape s = layout.shape(t);
            table[at + FACTORED] = 1;
            table[at + MEAN_OFFSET] = mean;
            table[at + LO0] = f.lo0();
            table[at + SPAN0] = f.span0();
            table[at + LO1] = f.lo1();
            table[at + SPAN1] = f.span1();
            table[at + LOR] = f.loR();
            table[at + SPANR] = f.spanR();
            table[at + N0] = s.dim(f.d0());
            table[at + N1] = s.dim(f.d1());
            table[at + ROWS] = f.rowShape().numel();
            table[at + COLS] = f.colShape().numel();
            table[at + MEANS] = f.rowMeanSize();
            rows.add(Shape.of(f.rowShape().numel()));
            cols.add(Shape.of(f.colShape().numel()));
            means.add(Shape.of(f.rowMeanSize()));
            mean += f.rowMeanSize();
        }
        this.meanTotal = mean;
        this.info = Tensor.of(backend, table, table.length);
        this.chunks = FusedOps.Chunks.of(layout, backend);
        this.firstChunk = firstChunks(layout, chunks.chunk(), backend);
        ChunkTable rt = SlabLayout.of(layout.names(), rows).chunks(AUX_CHUNK), ctab = SlabLayout.of(layout.names(), cols).chunks(AUX_CHUNK);
        ChunkTable mt = SlabLayout.of(layout.names(), means).chunks(AUX_CHUNK);
        this.rowTensorOf = ints(rt.tensorOf());
        this.rowStartOf = ints(rt.startOf());
        this.colTensorOf = ints(ctab.tensorOf());
        this.colStartOf = ints(ctab.startOf());
        this.meanTensorOf = ints(mt.tensorOf());
        this.meanStartOf = ints(mt.startOf());
        this.rowMean = Tensor.zeros(backend, DType.F32, 3 * meanTotal);
        int[] w = lo == null ? new int[0] : lo.widths();
        int stride = 0;
        for (int l = 0; l + 1 < w.length; l++) stride += w[l] * w[l + 1] + w[l + 1];
        this.thetaStride = stride;
        float[] packed = new float[Math.max(1, members * stride)], dec = new float[members * DECAYS];
        for (int m = 0; m < members; m++) {
            SmallFcLopt.Theta th = thetas.get(m);
            int at = m * stride;
            for (int l = 0; l + 1 < w.length; l++) {
                System.arraycopy(th.w()[l], 0, packed, at, th.w()[l].length);
                at += th.w()[l].length;
                System.arraycopy(th.b()[l], 0, packed, at, th.b()[l].length);
                at += th.b()[l].length;
            }
            float[] d = {th.mom()[0], th.mom()[1], th.mom()[2], th.rms()[0], th.ada()[0], th.ada()[1], th.ada()[2]};
            for (int k = 0; k < d.length; k++) {
                dec[m * DECAYS + k] = d[k];
                dec[m * DECAYS + d.length + k] = (float) (1 - (double) d[k]);
            }
        }
        this.theta = Tensor.of(backend, packed, packed.length);
        this.timeBuffer = Tensor.zeros(backend, DType.F32, members * (SmallFcLopt.INPUTS - SmallFcLopt.NORMALIZED));
        this.decays = Tensor.of(backend, dec, dec.length);
    }

    /** Each tensor's first entry in the chunk table of {@code layout} (tensors + 1 ints; the last is the entry count). */
    static Tensor firstChunks(SlabLayout layout, int chunk, Backend backend) {
        ChunkTable ct = layout.chunks(chunk);
        int[] first = new int[layout.count() + 1];
        for (int t = 0, c = 0; t <= layout.count(); t++) {
            while (c < ct.size() && ct.tensorOf(c) < t) c++;
            first[t] = c;
        }
        return Tensor.of(backend, first, first.length);
    }

    /** Writes the members' time features, member after member, into the device vector {@code into} (no allocation). */
    static Tensor writeTime(Tensor into, float[][] time) {
        float[] flat = new float[time.length * time[0].length];
        for (int m = 0; m < time.length; m++) System.arraycopy(time[m], 0, flat, m * time[m].length, time[m].length);
        into.storage().write(into.offset(), flat);
        return into;
    }

    /** Whether this plan was built for {@code params}' layout and backend. */
    boolean fits(Slab params) { return params.layout().equals(layout) && params.backend() == backend; }

    /** One step for every tensor of every member; {@code time} holds each member's 11 time features. */
    void step(SmallFcLopt lo, Slab params, Slab grads, NamedState s, float[][] time) {
        backend.fused().smallFcLopt(args(lo, params, grads, s, writeTime(timeBuffer, time)));
    }

    /** The kernel arguments over these tables; VeLO passes {@code lo} null (no MLP fields) and a dummy {@code time}. */
    FusedOps.SmallFcLoptArgs args(SmallFcLopt lo, Slab params, Slab grads, NamedState s, Tensor time) {
        FusedOps.Chunks c = chunks;
        return new FusedOps.SmallFcLoptArgs(params.flat(), grads.flat(),
                s.slab("m0").flat(), s.slab("m1").flat(), s.slab("m2").flat(), s.slab("v").flat(),
                s.slab("r0").flat(), s.slab("r1").flat(), s.slab("r2").flat(),
                s.slab("c0").flat(), s.slab("c1").flat(), s.slab("c2").flat(),
                decays, theta, thetaStride, time, info,
                c.tensorOf(), c.startOf(), c.offsets(), c.sizes(), c.chunk(),
                rowTensorOf, rowStartOf, colTensorOf, colStartOf, meanTensorOf, meanStartOf, AUX_CHUNK, firstChunk,
                rowMean, meanTotal, lo == null ? 0 : lo.hiddenSize(), lo == null ? 0 : lo.hiddenLayers(),
                lo == null ? 0 : lo.expMult(), lo == null ? 0 : lo.stepMult() * lo.lr());
    }

    private Tensor ints(int[] a) { return Tensor.of(backend, a, a.length); }
}
