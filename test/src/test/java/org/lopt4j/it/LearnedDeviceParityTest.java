package org.lopt4j.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lopt4j.cuda.CudaBackendProvider;
import org.lopt4j.learned.LearnedOptimizer;
import org.lopt4j.learned.l3rs.L3rs;
import org.lopt4j.learned.mlp.MlpLopt;
import org.lopt4j.learned.UpdateOptions;
import org.lopt4j.learned.smallfc.SmallFcLopt;
import org.lopt4j.learned.velo.Velo;
import org.lopt4j.opencl.OpenClBackendProvider;
import org.lopt4j.optim.OptState;
import org.lopt4j.optim.NonFinitePolicy;
import org.lopt4j.optim.Optimizer;
import org.lopt4j.optim.StepInfo;
import org.lopt4j.tensor.Backend;
import org.lopt4j.tensor.BackendProvider;
import org.lopt4j.tensor.DType;
import org.lopt4j.tensor.Op;
import org.lopt4j.tensor.RandomKey;
import org.lopt4j.tensor.Shape;
import org.lopt4j.tensor.Slab;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.cpu.ScalarBackend;

/**
 * The learned optimizers' device kernels (small_fc_lopt, mlp_lopt and velo .cu/.cl; all run learned_rule.cuh) against the float64
 * plain-loop twins: five steps of a two-member population on tensors shaped [32,16], [16], [8,3,3,3], [1], [1,32],
 * [6,6] (tied dims) and a scalar, with a gradient outlier tensor, for small_fc_lopt with hidden widths 4 and 32 (the
 * kernels' fixed-width MLPs) and 8 × 3 layers (their generic MLP), and MLPLOpt with hidden (32, 32) and (16, 8, 4). Parameters and every
 * state slab must agree within float32 rounding of the features, scales and MLP: |device − twin| ≤ 1e-5·max|twin|
 * + 2e-4·|twin| per slab. OpenCL runs on PoCL in CI (fails there if absent: -Dlopt4j.opencl.required=true); CUDA skips
 * without a GPU (fails with -Dlopt4j.gpu.required=true).
 */
@org.junit.jupiter.api.Tag("gpu")
class LearnedDeviceParityTest {
    static final int MEMBERS = 2, STEPS = 5;
    static final List<Shape> SHAPES = List.of(Shape.of(32, 16), Shape.of(16), Shape.of(8, 3, 3, 3), Shape.of(1),
            Shape.of(1, 32), Shape.of(6, 6), Shape.SCALAR);
    static final double ABS = 1e-5, REL = 2e-4;

    @Test void openClMatchesTwin() {
        Backend b = device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL");
        for (LearnedOptimizer<?> lo : optimizers()) check(b, lo);
    }

    @Test void cudaMatchesTwin() {
        Backend b = device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA");
        for (LearnedOptimizer<?> lo : optimizers()) check(b, lo);
    }

    /** PyLO's options: lr 0.5, weight decay 0.1 and a gradient norm limit of 20 (it clips the outlier tensors). */
    static final UpdateOptions OPTIONS = new UpdateOptions(0.5, 0.1, 20, 16);      // fan-in scales 0.71, 0.47, 1 and 1 on the weights

    @Test void openClPyloOptionsMatchTwin() {
        Backend b = device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL");
        check(b, new SmallFcLopt(4, 2, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT), OPTIONS);
        veloCheck(b, new UpdateOptions(0.3, 0.05, 0));
    }

    @Test void cudaPyloOptionsMatchTwin() {
        Backend b = device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA");
        check(b, new SmallFcLopt(4, 2, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT), OPTIONS);
        veloCheck(b, new UpdateOptions(0.3, 0.05, 0));
    }

    @Test void openClL3rsMatchesTwin() {
        l3rsCheck(device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL"));
    }

    @Test void cudaL3rsMatchesTwin() {
        l3rsCheck(device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA"));
    }

    /**
     * L3RS (one embedding per parameter tensor, 7 of them a member; two members with their own θ and losses), with
     * absolute and relative steps and with a θ whose output layer is random, so λ and μ vary per layer and step:
     * parameters by their change over the five steps, the base optimizers' buffers, EMAs and counts per slab.
     */
    static void l3rsCheck(Backend device) {
        SlabLayout l = layout();
        for (boolean relative : new boolean[] {false, true}) {
            L3rs lo = new L3rs(SHAPES.size(), 16, 1e-2, relative, NonFinitePolicy.SKIP_AND_COUNT);
            SlabLayout one = lo.thetaLayout();
            Slab theta = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, one.repeat(MEMBERS));
            for (int m = 0; m < MEMBERS; m++) {
                Slab init = lo.initTheta(RandomKey.of(21 + m), ScalarBackend.INSTANCE);
                Tensor out = init.tensor("mlp/~/linear_2/w");
                Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F32, out.shape(), RandomKey.of(60 + m), Op.Dist.NORMAL);
                out.assign(r.mul(r.scalar(0.3)));
                theta.flat().slice(0, m * one.size(), (m + 1) * one.size(), 1).assign(init.flat());
            }
            Optimizer<L3rs.State> onDevice = lo.optimizer(theta), onHost = lo.optimizer(theta);
            Slab pd = random(device, DType.F32, l, 1), ph = random(ScalarBackend.INSTANCE, DType.F64, l, 1);
            double[] p0 = ph.flat().toDoubleArray();
            L3rs.State sd = onDevice.init(pd), sh = onHost.init(ph);
            for (int step = 0; step < STEPS; step++) {
                int seed = step == 2 ? 100 + step : 10 + step;
                StepInfo info = new StepInfo(step, 2.0, 50, new double[] {2.0 - 0.2 * step, 3.0 - 0.1 * step}, new int[] {step, step + 7});
                sd = onDevice.update(sd, pd, random(device, DType.F32, l, seed), info);
                sh = onHost.update(sh, ph, random(ScalarBackend.INSTANCE, DType.F64, l, seed), info);
            }
            String what = "l3rs" + (relative ? " relative" : "") + " on " + device.name();
            double[] dh = ph.flat().toDoubleArray(), dd = pd.flat().to(ScalarBackend.INSTANCE).toDoubleArray();
            for (int i = 0; i < p0.length; i++) {
                dh[i] -= p0[i];
                dd[i] -= p0[i];
            }
            close(what + ": parameter change", dh, dd, 2e-4, 2e-3);
            for (String name : sh.buffers().keySet()) close(what + ": " + name, sh.buffers().get(name), sd.buffers().get(name));
            double[][] scheduleTwin = sh.schedule(), scheduleDevice = sd.schedule();
            for (int t = 0; t < scheduleTwin.length; t++) close(what + ": λ, μ of tensor " + t, scheduleTwin[t], scheduleDevice[t], ABS, REL);
        }
    }

    @Test void openClVeloMatchesTwin() {
        veloCheck(device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL"));
    }

    @Test void cudaVeloMatchesTwin() {
        veloCheck(device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA"));
    }

    /**
     * Tensors spanning several chunks (65,536 elements each) and factored accumulators spanning several accumulator
     * chunks (4,096 entries): the partial sums per chunk and per group, and their per-tensor order, on OpenCL; on the
     * SIMD backend the same shapes span many work units of the Vector API passes.
     */
    @Test void openClMatchesTwinAcrossChunks() {
        acrossChunks(device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL"));
    }

    @Test void cudaMatchesTwinAcrossChunks() {
        acrossChunks(device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA"));
    }

    @Test void simdMatchesTwinAcrossChunks() {
        acrossChunks(org.lopt4j.tensor.Backends.named("simd"));
    }

    static void acrossChunks(Backend b) {
        SlabLayout big = SlabLayout.of(List.of("w", "wide", "v"), List.of(Shape.of(300, 512), Shape.of(2, 5000), Shape.of(70_000)));
        for (LearnedOptimizer<?> lo : List.of(new SmallFcLopt(4, 2, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT),
                new MlpLopt(new int[] {32, 32}, 0.5, 0.1, NonFinitePolicy.SKIP_AND_COUNT), Velo.velo())) {     // a small bank (×100/bank) blows up here
            acrossChunks(b, big, lo);
        }
    }

    static <S extends OptState<S>> void acrossChunks(Backend b, SlabLayout big, LearnedOptimizer<S> lo) {
        {
            Slab theta = lo.initTheta(RandomKey.of(4), ScalarBackend.INSTANCE);
            Optimizer<S> onDevice = lo.optimizer(theta), onHost = lo.optimizer(theta);
            Slab pd = random(b, DType.F32, big, 1), ph = random(ScalarBackend.INSTANCE, DType.F64, big, 1);
            double[] p0 = ph.flat().toDoubleArray();
            S sd = onDevice.init(pd), sh = onHost.init(ph);
            for (int step = 0; step < 3; step++) {
                StepInfo info = new StepInfo(step, 2.0 - 0.1 * step, 100);
                sd = onDevice.update(sd, pd, random(b, DType.F32, big, 10 + step), info);
                sh = onHost.update(sh, ph, random(ScalarBackend.INSTANCE, DType.F64, big, 10 + step), info);
            }
            double[] dh = ph.flat().toDoubleArray(), dd = pd.flat().to(ScalarBackend.INSTANCE).toDoubleArray();
            for (int i = 0; i < p0.length; i++) {
                dh[i] -= p0[i];
                dd[i] -= p0[i];
            }
            close(lo.name() + " across chunks on " + b.name() + ": parameter change", dh, dd, 2e-3, 2e-3);
            for (String name : sh.buffers().keySet()) {
                boolean lstm = name.startsWith("lstm");
                close(lo.name() + " across chunks on " + b.name() + ": " + name, sh.buffers().get(name).flat().toDoubleArray(),
                        sd.buffers().get(name).flat().to(ScalarBackend.INSTANCE).toDoubleArray(), lstm ? 1e-3 : ABS, lstm ? 1e-3 : REL);
            }
        }
    }

    /**
     * Bad input on the device path: a NaN and an Inf in the gradient (and, for VeLO, a NaN loss) are skipped and
     * counted, leaving parameters and every state slab bit-identical; with ZERO_NONFINITE the step runs on zeros
     * and every parameter stays finite.
     */
    @Test void openClNonFiniteInputNeverReachesState() {
        nonFinite(device(new OpenClBackendProvider(), "lopt4j.opencl.required", "OpenCL"));
    }

    @Test void cudaNonFiniteInputNeverReachesState() {
        nonFinite(device(new CudaBackendProvider(), "lopt4j.gpu.required", "CUDA"));
    }

    static void nonFinite(Backend b) {
        SlabLayout l = layout();
        for (NonFinitePolicy policy : new NonFinitePolicy[] {NonFinitePolicy.SKIP_AND_COUNT, NonFinitePolicy.ZERO_NONFINITE}) {
            List<LearnedOptimizer<?>> los = List.of(new SmallFcLopt(4, 2, 0.1, 0.5, 1, policy), new MlpLopt(new int[] {8, 8}, 0.5, 0.1, policy),
                    new Velo(16, 4, policy), new L3rs(SHAPES.size(), 8, 1e-2, false, policy));
            for (LearnedOptimizer<?> lo : los) nonFinite(b, l, policy, lo);
        }
    }

    static <S extends OptState<S>> void nonFinite(Backend b, SlabLayout l, NonFinitePolicy policy, LearnedOptimizer<S> lo) {
        SlabLayout layout = lo instanceof Velo ? SlabLayout.of(l.names().subList(0, SHAPES.size()), l.shapes().subList(0, SHAPES.size())) : l;
        Slab theta = lo instanceof Velo ? lo.initTheta(RandomKey.of(3), ScalarBackend.INSTANCE) : theta(lo);
        Optimizer<S> opt = lo.optimizer(theta);
        Slab p = random(b, DType.F32, layout, 1);
        S st = opt.update(opt.init(p), p, random(b, DType.F32, layout, 2), new StepInfo(0, 1.0, 100));
        double[] before = p.flat().toDoubleArray();
        java.util.Map<String, double[]> stateBefore = new java.util.HashMap<>();
        for (var e : st.buffers().entrySet()) stateBefore.put(e.getKey(), e.getValue().flat().toDoubleArray());
        Slab bad = random(b, DType.F32, layout, 3);
        bad.flat().slice(0, 5, 6, 1).fill(Double.NaN);
        bad.flat().slice(0, 40, 41, 1).fill(Double.POSITIVE_INFINITY);
        int skippedBefore = st.skipped();                  // the kernels' skip count is the run's, read when asked
        S after = opt.update(st, p, bad, new StepInfo(1, 1.0, 100));
        String what = lo.name() + " " + policy;
        if (policy == NonFinitePolicy.SKIP_AND_COUNT) {
            assertEquals(skippedBefore + 1, after.skipped(), what + ": skip counted");
            assertArrayEquals(before, p.flat().toDoubleArray(), what + ": parameters untouched");
            for (var e : after.buffers().entrySet()) {
                assertArrayEquals(stateBefore.get(e.getKey()), e.getValue().flat().toDoubleArray(), what + ": " + e.getKey() + " untouched");
            }
        } else {
            for (double x : p.flat().toDoubleArray()) assertTrue(Double.isFinite(x), what + ": a parameter became " + x);
        }
        if ((lo instanceof Velo || lo instanceof L3rs) && policy == NonFinitePolicy.SKIP_AND_COUNT) {
            double[] now = p.flat().toDoubleArray();
            S nanLoss = opt.update(after, p, random(b, DType.F32, layout, 4), new StepInfo(2, Double.NaN, 100));
            assertEquals(after.skipped() + 1, nanLoss.skipped(), what + ": NaN loss skipped");
            assertArrayEquals(now, p.flat().toDoubleArray(), what + ": NaN loss leaves parameters");
        }
    }

    @Test void simdVeloMatchesTwin() {
        veloCheck(org.lopt4j.tensor.Backends.named("simd"));
    }

    /**
     * VeLO (LSTM 32, bank of 8, one member and a population of two with their own θ, losses and step counts; and
     * VeLO's own 512 / 256 on one member): the fast path (statistics pass, tensor network as float32 tensor ops, the
     * accumulator and mixed-MLP passes) against the twin VeloRef in float64. Parameters are compared by their change over the
     * five steps (|Δfast − Δtwin| ≤ 2e-3·max|Δtwin| + 2e-3·|Δtwin|), since the change is small against the parameters;
     * the LSTM state within 1e-3 relative (float32 1024-term dot products and a one-pass variance against the twin's
     * double two-pass one).
     */
    static void veloCheck(Backend device) { veloCheck(device, UpdateOptions.NONE); }

    static void veloCheck(Backend device, UpdateOptions o) {
        record Case(Velo velo, int members) {}
        List<Case> cases = o.equals(UpdateOptions.NONE) ? List.of(new Case(new Velo(32, 8, NonFinitePolicy.SKIP_AND_COUNT), 1),
                new Case(new Velo(32, 8, NonFinitePolicy.SKIP_AND_COUNT), 2), new Case(Velo.velo(), 1))
                : List.of(new Case(new Velo(32, 8, NonFinitePolicy.SKIP_AND_COUNT), 2));
        for (Case cs : cases) {
            Velo vl = cs.velo();
            int members = cs.members();
            SlabLayout one = vl.thetaLayout();
            Slab theta = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, one.repeat(members));
            for (int m = 0; m < members; m++) {
                theta.flat().slice(0, m * one.size(), (m + 1) * one.size(), 1).assign(vl.initTheta(RandomKey.of(5 + m), ScalarBackend.INSTANCE).flat());
            }
            List<String> names = new ArrayList<>();
            List<Shape> shapes = new ArrayList<>();
            for (int m = 0; m < members; m++) {
                for (Shape sh : SHAPES) {
                    names.add("m" + m + "/" + sh);
                    shapes.add(sh);
                }
            }
            SlabLayout l = SlabLayout.of(names, shapes);
            Optimizer<Velo.State> onDevice = vl.optimizer(theta, o), onHost = vl.optimizer(theta, o);
            Slab pd = random(device, DType.F32, l, 1), ph = random(ScalarBackend.INSTANCE, DType.F64, l, 1);
            double[] p0 = ph.flat().toDoubleArray();
            Velo.State sd = onDevice.init(pd), sh = onHost.init(ph);
            for (int step = 0; step < STEPS; step++) {
                int seed = step == 2 ? 100 + step : 10 + step;
                double[] losses = new double[members];
                int[] steps = new int[members];
                for (int m = 0; m < members; m++) {
                    losses[m] = 3.0 - 0.4 * step + m;
                    steps[m] = step + 20 * m;
                }
                StepInfo info = new StepInfo(step, losses[0], 100, losses, steps);
                sd = onDevice.update(sd, pd, random(device, DType.F32, l, seed), info);
                sh = onHost.update(sh, ph, random(ScalarBackend.INSTANCE, DType.F64, l, seed), info);
            }
            String what = "velo(" + vl.lstmHidden() + ", " + vl.paramInits() + o.describe() + ") x" + members + " on " + device.name();
            double[] dh = ph.flat().toDoubleArray(), dd = pd.flat().to(ScalarBackend.INSTANCE).toDoubleArray();
            for (int i = 0; i < p0.length; i++) {
                dh[i] -= p0[i];
                dd[i] -= p0[i];
            }
            close(what + ": parameter change", dh, dd, 2e-3, 2e-3);
            for (String name : sh.buffers().keySet()) {
                boolean lstm = name.startsWith("lstm");
                close(what + ": " + name, sh.buffers().get(name).flat().toDoubleArray(), sd.buffers().get(name).flat().to(ScalarBackend.INSTANCE).toDoubleArray(),
                        lstm ? 1e-3 : ABS, lstm ? 1e-3 : REL);
            }
        }
    }

    static List<LearnedOptimizer<?>> optimizers() {
        return List.of(new SmallFcLopt(4, 2, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT),
                new SmallFcLopt(32, 2, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT),
                new SmallFcLopt(8, 3, 0.1, 0.5, 1, NonFinitePolicy.SKIP_AND_COUNT),     // the kernels' generic MLP path
                new MlpLopt(new int[] {32, 32}, 0.5, 0.1, NonFinitePolicy.SKIP_AND_COUNT),
                new MlpLopt(new int[] {16, 8, 4}, 0.5, 0.1, NonFinitePolicy.SKIP_AND_COUNT));
    }

    static Backend device(BackendProvider p, String requiredFlag, String what) {
        Optional<Backend> b = p.probe();
        if (b.isPresent()) return b.get();
        if (Boolean.getBoolean(requiredFlag)) fail(what + " is required (-D" + requiredFlag + "=true) but its probe found no device");
        return Assumptions.abort("no usable " + what + " device");
    }

    static SlabLayout layout() { return layout(SHAPES, MEMBERS); }

    /** {@code members} copies of {@code shapes}, member-major, named m{member}/t{index}. */
    static SlabLayout layout(List<Shape> shapes, int members) {
        List<String> names = new ArrayList<>();
        List<Shape> all = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            for (int i = 0; i < shapes.size(); i++) {
                names.add("m" + m + "/t" + i);
                all.add(shapes.get(i));
            }
        }
        return SlabLayout.of(names, all);
    }

    static Slab random(Backend b, DType d, SlabLayout l, int seed) {
        Slab s = Slab.zeros(b, d, l);
        for (int i = 0; i < l.count(); i++) {
            Tensor r = Tensor.random(ScalarBackend.INSTANCE, DType.F64, l.shape(i), RandomKey.of(seed).child(i), Op.Dist.NORMAL);
            double scale = i % SHAPES.size() == 1 ? 1e-3 : (seed >= 100 && i % SHAPES.size() == 0 ? 30 : 1);
            s.tensor(i).assign(r.mul(r.scalar(scale)).to(d).to(b));
        }
        return s;
    }

    /** Two members with different θ: random MLPs, non-zero decay offsets and biases. */
    static Slab theta(LearnedOptimizer<?> lo) {
        SlabLayout one = lo.thetaLayout();
        Slab t = Slab.zeros(ScalarBackend.INSTANCE, DType.F32, one.repeat(MEMBERS));
        for (int m = 0; m < MEMBERS; m++) {
            Slab init = lo.initTheta(RandomKey.of(11 + m), ScalarBackend.INSTANCE);
            Tensor noise = Tensor.random(ScalarBackend.INSTANCE, DType.F32, Shape.of(one.size()), RandomKey.of(50 + m), Op.Dist.NORMAL);
            Tensor member = init.flat().add(noise.mul(noise.scalar(0.05)));
            t.flat().slice(0, m * one.size(), (m + 1) * one.size(), 1).assign(member);
        }
        return t;
    }

    static <S extends OptState<S>> void check(Backend device, LearnedOptimizer<S> lo) { check(device, lo, UpdateOptions.NONE); }

    static <S extends OptState<S>> void check(Backend device, LearnedOptimizer<S> lo, UpdateOptions o) {
        String what = (lo instanceof MlpLopt m ? "mlp_lopt " + java.util.Arrays.toString(m.hidden()) : "small_fc_lopt " + ((SmallFcLopt) lo).hiddenSize())
                + o.describe();
        Slab theta = theta(lo);
        SlabLayout l = layout();
        Optimizer<S> onDevice = lo.optimizer(theta, o), onHost = lo.optimizer(theta, o);
        Slab pd = random(device, DType.F32, l, 1), ph = random(ScalarBackend.INSTANCE, DType.F64, l, 1);
        S sd = onDevice.init(pd), sh = onHost.init(ph);
        for (int step = 0; step < STEPS; step++) {
            int seed = step == 2 ? 100 + step : 10 + step;
            StepInfo info = new StepInfo(step, 1.0, 100, new double[] {1.0, 2.0}, new int[] {step, step + 7});
            sd = onDevice.update(sd, pd, random(device, DType.F32, l, seed), info);
            sh = onHost.update(sh, ph, random(ScalarBackend.INSTANCE, DType.F64, l, seed), info);
        }
        close(what + ": params", ph, pd);
        for (String name : sh.buffers().keySet()) close(what + ": " + name, sh.buffers().get(name), sd.buffers().get(name));
    }

    static void close(String what, Slab twin, Slab device) {
        close(what, twin.flat().toDoubleArray(), device.flat().to(ScalarBackend.INSTANCE).toDoubleArray(), ABS, REL);
    }

    static void close(String what, double[] want, double[] got, double abs, double rel) {
        double max = 0;
        for (double w : want) max = Math.max(max, Math.abs(w));
        int bad = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < want.length; i++) {
            double tol = abs * max + rel * Math.abs(want[i]);
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                if (bad++ < 5) first.append(" [").append(i).append("] twin ").append(want[i]).append(" device ").append(got[i]);
            }
        }
        assertTrue(bad == 0, what + ": " + bad + " of " + want.length + " elements off:" + first);
    }
}
