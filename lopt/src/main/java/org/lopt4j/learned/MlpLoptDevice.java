package org.lopt4j.learned;

import java.util.List;
import org.lopt4j.optim.NamedState;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.ChunkTable;
import org.lopt4j.tensor.FusedOps;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;

/**
 * MLPLOpt on a device backend: the tables its kernels read (chunk table, each tensor's first chunk, packed θ, decays,
 * widths), built once per (slab layout, θ, backend) and kept on the device, and the call of {@link FusedOps#mlpLopt}
 * that runs a step for every tensor of every member.
 */
final class MlpLoptDevice {
    private final SlabLayout layout;
    private final Backend backend;
    private final FusedOps.Chunks chunks;
    private final Tensor firstChunk, theta, decays, widths, timeBuffer;
    private final int thetaStride, layers, perMember;

    MlpLoptDevice(MlpLopt lo, List<MlpLopt.Weights> thetas, SlabLayout layout, Backend backend) {
        int[] w = lo.widths();
        for (int x : w) {
            if (x > SmallFcLoptDevice.MAX_WIDTH) throw new IllegalArgumentException("mlp_lopt kernels take widths up to " + SmallFcLoptDevice.MAX_WIDTH + ", got " + x);
        }
        if (w.length - 1 > SmallFcLoptDevice.MAX_LAYERS) throw new IllegalArgumentException("mlp_lopt kernels take up to " + SmallFcLoptDevice.MAX_LAYERS + " layers");
        this.layout = layout;
        this.backend = backend;
        this.layers = w.length - 1;
        this.perMember = Math.max(1, layout.count() / thetas.size());
        this.chunks = FusedOps.Chunks.of(layout, backend);
        this.firstChunk = SmallFcLoptDevice.firstChunks(layout, chunks.chunk(), backend);
        this.widths = Tensor.of(backend, w, w.length);
        int stride = 0;
        for (int l = 0; l < layers; l++) stride += w[l] * w[l + 1] + w[l + 1];
        this.thetaStride = stride;
        float[] packed = new float[thetas.size() * stride];
        for (int m = 0; m < thetas.size(); m++) {
            int at = m * stride;
            for (int l = 0; l < layers; l++) {
                System.arraycopy(thetas.get(m).w()[l], 0, packed, at, thetas.get(m).w()[l].length);
                at += thetas.get(m).w()[l].length;
                System.arraycopy(thetas.get(m).b()[l], 0, packed, at, thetas.get(m).b()[l].length);
                at += thetas.get(m).b()[l].length;
            }
        }
        this.theta = Tensor.of(backend, packed, packed.length);
        this.timeBuffer = Tensor.zeros(backend, org.lopt4j.tensor.DType.F32, thetas.size() * (MlpLopt.INPUTS - MlpLopt.NORMALIZED));
        int k = MlpLopt.DECAYS.length;
        float[] dec = new float[2 * k];
        for (int i = 0; i < k; i++) {
            dec[i] = MlpLopt.DECAYS[i];
            dec[k + i] = (float) (1 - (double) MlpLopt.DECAYS[i]);
        }
        this.decays = Tensor.of(backend, dec, dec.length);
    }

    /** Whether this plan was built for {@code params}' layout and backend. */
    boolean fits(Slab params) { return params.layout().equals(layout) && params.backend() == backend; }

    /** One step for every tensor of every member; {@code time} holds each member's 11 time features. */
    void step(MlpLopt lo, Slab params, Slab grads, NamedState s, float[][] time) {
        FusedOps.Chunks c = chunks;
        backend.fused().mlpLopt(new FusedOps.MlpLoptArgs(params.flat(), grads.flat(), s.slab("m0").flat(), s.slab("m1").flat(),
                s.slab("m2").flat(), s.slab("m3").flat(), s.slab("m4").flat(), s.slab("m5").flat(), decays, theta, thetaStride,
                SmallFcLoptDevice.writeTime(timeBuffer, time), widths, layers, perMember, c.tensorOf(), c.startOf(), c.offsets(),
                c.sizes(), c.chunk(), firstChunk, lo.expMult(), lo.stepMult()));
    }
}
