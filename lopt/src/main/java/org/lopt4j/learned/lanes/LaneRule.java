package org.lopt4j.learned.lanes;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.optim.FactoredDims;
import org.lopt4j.tensor.LearnedOps.FactoredArgs;
import org.lopt4j.tensor.Tensor;
import org.lopt4j.tensor.SlabLayout;
import org.lopt4j.tensor.cpu.CpuStorage;
import org.lopt4j.tensor.cpu.Parallel;
import org.lopt4j.tensor.cpu.Species;

/**
 * The feature_sums and apply passes of small_fc_lopt and VeLO for F32 slabs in vector lanes: a per-element rule
 * ({@link Rule}: where its Adafactor-style features go, {@link Slots}, and which MLP each tensor runs). Work units are
 * runs along each tensor's last axis: inside a run the row and column accumulator indices are either constant
 * (broadcast) or contiguous (vector loads), so the 28 features are built without gathers; per-row and per-column
 * factors are computed once per step, not per element. Per tensor, the feature scales and the constant time features
 * fold into the first layer's weights and bias, and per run the features constant along it fold into the bias, so
 * the per-element MLP reads only the features that vary ({@link LaneFeatures}).
 */
public final class LaneRule {
    private static final VectorSpecies<Float> S = Species.F32;
    static final int UNIT = 4096;

    private LaneRule() {}

    private static float[] f(Tensor t) { return ((CpuStorage) t.storage()).f32; }

    /** One tensor's per-step float factors (factored tensors) and its run geometry. */
    public record Geo(FactoredDims f, int off, int n, int ro, int co, int run, int rowStep, int colStep,
                       float[][] rowFac, float[][] colFac, float[][] rowRs, float[][] colRs) {}

    /**
     * One worker's buffers for the apply pass: features and layer outputs ({@code size} floats each), a lane of scratch, the
     * run's first-layer bias and its per-lane form, and the layer weights, biases and widths it evaluates (only outputs 0 and 1 of the last
     * layer: the update reads those; VeLO's MLP has a third).
     */
    private record ApplyScratch(float[] x, float[] y, float[] tmp, float[] unitBias, float[] firstBias, float[][] wl, float[][] bl,
                                int[] wd) {
        ApplyScratch(int size, int lanes, int h, int blocks, int[] widths) {
            this(new float[size], new float[size], new float[lanes], new float[h], new float[h * blocks * lanes],
                    new float[widths.length - 1][], new float[widths.length - 1][], outputs2(widths));
        }

        private static int[] outputs2(int[] widths) {
            int[] wd = widths.clone();
            wd[wd.length - 1] = 2;
            return wd;
        }
    }

    /** A unit of work: elements [a, b) of tensor t, inside one run. */
    private record Unit(int t, int a, int b) {}

    /** An Adafactor-style feature: one row of the feature vector, or three (one per decay k). */
    public enum Feature {
        /** g. */ G(1), /** clip(g, ±0.1) (VeLO). */ CLIP_G(1), /** p. */ P(1), /** m_k. */ M(3), /** v. */ V(1),
        /** m_k·rs. */ M_RS(3), /** rs = 1/sqrt(v + 1e-6). */ RS(1), /** g·fac_k. */ G_FAC(3), /** g·rs (VeLO). */ G_RS(1),
        /** row_k. */ ROW(3), /** col_k. */ COL(3), /** 1/sqrt(row_k + 1e-8). */ ROW_RS(3), /** 1/sqrt(col_k + 1e-8). */ COL_RS(3),
        /** m_k·mfac_k. */ M_MFAC(3);

        final int rows;

        Feature(int rows) { this.rows = rows; }
    }

    /**
     * Where the Adafactor-style features go in a rule's feature vector: the row of each single-row feature and the first
     * of the three rows of each per-decay one ({@link Feature}); {@code count} rows in all; {@code mfacEps} is the
     * epsilon of an unfactored tensor's mfac; {@code clipG} and {@code gRs} are VeLO's two extra rows (−1 without them).
     */
    public record Slots(int g, int p, int v, int rs, int m, int mrs, int gfac, int row, int col, int rrs, int crs, int mmfac, int count,
                 float mfacEps, int clipG, int gRs) {
        /** small_fc_lopt's 28 features (small_fc_lopt.md §6). */
        public static final Slots SMALL_FC = of(1e-6f, Feature.G, Feature.P, Feature.M, Feature.V, Feature.M_RS, Feature.RS, Feature.G_FAC,
                Feature.ROW, Feature.COL, Feature.ROW_RS, Feature.COL_RS, Feature.M_MFAC);
        /** VeLO's 30 MLP features (velo.md §8). */
        public static final Slots VELO = of(0f, Feature.G, Feature.CLIP_G, Feature.P, Feature.M, Feature.V, Feature.M_RS, Feature.RS,
                Feature.G_FAC, Feature.G_RS, Feature.ROW, Feature.COL, Feature.ROW_RS, Feature.COL_RS, Feature.M_MFAC);

        /** The slots of the features laid out in {@code order}, each after the ones before it. */
        static Slots of(float mfacEps, Feature... order) {
            int[] at = new int[Feature.values().length];
            java.util.Arrays.fill(at, -1);
            int row = 0;
            for (Feature f : order) {
                at[f.ordinal()] = row;
                row += f.rows;
            }
            return new Slots(at[Feature.G.ordinal()], at[Feature.P.ordinal()], at[Feature.V.ordinal()], at[Feature.RS.ordinal()],
                    at[Feature.M.ordinal()], at[Feature.M_RS.ordinal()], at[Feature.G_FAC.ordinal()], at[Feature.ROW.ordinal()],
                    at[Feature.COL.ordinal()], at[Feature.ROW_RS.ordinal()], at[Feature.COL_RS.ordinal()], at[Feature.M_MFAC.ordinal()], row,
                    mfacEps, at[Feature.CLIP_G.ordinal()], at[Feature.G_RS.ordinal()]);
        }

        /** Whether the rule has VeLO's two extra rows. */
        boolean velo() { return clipG >= 0; }
    }

    /**
     * A per-element update rule over the features: tensor t uses MLP {@code mlpOf[t]} (weights {@code w}, {@code b},
     * layer widths {@code widths}), whose inputs are the normalized features then {@code time[mlp]} (null: none);
     * {@code p ← p − stepOf[t]·dir·exp(expMult·mag)}.
     */
    public record Rule(Slots slots, int[] widths, float[][][] w, float[][][] b, int[] mlpOf, float[][] time, float expMult, float[] stepOf,
                       float paramDecay) {}

    /** The feature_sums and apply passes of {@code rule} over every tensor of the slab, after the accumulate pass. */
    public static void apply(Rule rule, FactoredArgs args, Factors[] aux) {
        SlabLayout l = args.layout(), rl = FactoredDims.rowLayout(l), cl = FactoredDims.colLayout(l);
        Slots slots = rule.slots();
        float[] p = f(args.params()), g = f(args.grads()), v = f(args.v());
        float[][] m = {f(args.m0()), f(args.m1()), f(args.m2())}, r = {f(args.r0()), f(args.r1()), f(args.r2())}, c = {f(args.c0()), f(args.c1()), f(args.c2())};
        LaneFeatures.State st = new LaneFeatures.State(p, g, v, m, r, c);
        Geo[] geo = new Geo[l.count()];
        List<Unit> units = new ArrayList<>();
        for (int t = 0; t < l.count(); t++) {
            FactoredDims fd = aux[t].f();
            int n = l.numel(t), run = fd == null ? Math.max(1, n) : l.shape(t).dim(l.shape(t).rank() - 1);
            int last = l.shape(t).rank() - 1;
            float[][] rf = null, cf = null, rr = null, cr = null;
            if (fd != null) {
                rf = new float[3][]; cf = new float[3][]; rr = new float[3][]; cr = new float[3][];
                for (int k = 0; k < 3; k++) {
                    rf[k] = toFloat(aux[t].rowFac()[k]);
                    cf[k] = toFloat(aux[t].colFac()[k]);
                    rr[k] = new float[rf[k].length];
                    cr[k] = new float[cf[k].length];
                    for (int i = 0; i < rr[k].length; i++) rr[k][i] = (float) (1 / Math.sqrt(r[k][rl.offset(t) + i] + 1e-8));
                    for (int i = 0; i < cr[k].length; i++) cr[k][i] = (float) (1 / Math.sqrt(c[k][cl.offset(t) + i] + 1e-8));
                }
            }
            geo[t] = new Geo(fd, l.offset(t), n, rl.offset(t), cl.offset(t), run,
                    fd != null && fd.d0() == last ? 0 : 1, fd != null && fd.d1() == last ? 0 : 1, rf, cf, rr, cr);
            for (int a = 0; a < n; ) {
                int runEnd = (a / run + 1) * run, b = Math.min(runEnd, Math.min(n, a + UNIT));
                units.add(new Unit(t, a, b));
                a = b;
            }
        }
        float[][] scale = featureScales(l, slots, units, geo, st);
        int[] widths = rule.widths();
        int layers = widths.length - 1, h = widths[1], nf = slots.count(), lanes = S.length();
        int widest = 0;
        for (int layer = 1; layer < layers; layer++) widest = Math.max(widest, widths[layer]);
        int blocks = widest <= 4 ? 4 : 2, bl4 = blocks * lanes;           // lane blocks per MLP evaluation (LaneMlp.evalPacked)
        // per MLP: the layers after the first, packed; per tensor: the first layer over its varying features, scaled
        float[][][] packed = new float[rule.w().length][layers][];
        for (int q = 0; q < packed.length; q++) {
            for (int layer = 1; layer < layers; layer++) packed[q][layer] = LaneMlp.pack(rule.w()[q][layer], widths[layer], widths[layer + 1], blocks);
        }
        float[][][] laneB = new float[rule.b().length][layers][];
        for (int q = 0; q < laneB.length; q++) for (int layer = 1; layer < layers; layer++) laneB[q][layer] = LaneMlp.laneBias(rule.b()[q][layer], blocks);
        LaneFeatures.Plan[] plans = new LaneFeatures.Plan[l.count()];
        float[][] first = new float[l.count()][], scaledW = new float[l.count()][], bias = new float[l.count()][], byIndex = new float[l.count()][];
        int maxRows = 0, maxw = 0;
        for (int wd : widths) maxw = Math.max(maxw, wd);
        for (int t = 0; t < l.count(); t++) {
            Geo gt = geo[t];
            int mlp = rule.mlpOf()[t];
            float[] w0 = rule.w()[mlp][0];
            float[] sw = new float[nf * h];                    // W₁ rows of the normalized features times their scales
            for (int q = 0; q < nf; q++) for (int j = 0; j < h; j++) sw[q * h + j] = w0[q * h + j] * scale[t][q];
            float[] bt = rule.b()[mlp][0].clone();              // time features are constant per tensor: into the bias
            float[] time = rule.time() == null ? null : rule.time()[mlp];
            if (time != null) for (int k = 0; k < time.length; k++) for (int j = 0; j < h; j++) bt[j] += time[k] * w0[(nf + k) * h + j];
            FactoredDims fd = gt.f();
            boolean rowVaries = fd != null && gt.rowStep() != 0, colVaries = fd != null && gt.colStep() != 0;
            int count = rowVaries == colVaries ? 0 : rowVaries ? gt.rowRs()[0].length : gt.colRs()[0].length;
            if (count > 0 && h <= FOLD_WIDTH && (long) h * count <= FOLD_LIMIT) {   // the varying side's features: per index
                byIndex[t] = rowVaries ? indexInputs(sw, h, st.r(), gt.ro(), gt.rowRs(), slots.row(), slots.rrs(), count)
                        : indexInputs(sw, h, st.c(), gt.co(), gt.colRs(), slots.col(), slots.crs(), count);
            }
            boolean folded = byIndex[t] != null;
            LaneFeatures.Plan plan = LaneFeatures.Plan.of(slots, fd != null, rowVaries && !folded, colVaries && !folded);
            float[] wt = new float[plan.rows() * h];
            for (int q = 0; q < plan.rows(); q++) for (int slot : plan.slotsOf()[q]) for (int j = 0; j < h; j++) wt[q * h + j] += sw[slot * h + j];
            plans[t] = plan;
            first[t] = LaneMlp.pack(wt, plan.rows(), h, blocks);
            scaledW[t] = sw;
            bias[t] = bt;
            maxRows = Math.max(maxRows, plan.rows());
        }
        int rowsMax = Math.max(maxRows, maxw);
        float expMult = rule.expMult(), decay = rule.paramDecay();
        Parallel.forBatches(units.size(), 4, () -> new ApplyScratch(rowsMax * bl4, lanes, h, blocks, widths), (sc, from, to) -> {
            float[] x = sc.x(), y = sc.y(), tmp = sc.tmp(), unitBias = sc.unitBias(), lb0 = sc.firstBias();
            float[][] wl = sc.wl(), bl = sc.bl();
            int[] wd = sc.wd();
            for (int u = from; u < to; u++) {
                Unit un = units.get(u);
                int t = un.t(), mlp = rule.mlpOf()[t];
                Geo gt = geo[t];
                constantRowsBias(unitBias, bias[t], scaledW[t], h, gt, un.a(), st, slots);
                wl[0] = first[t];
                bl[0] = lb0;
                for (int layer = 1; layer < layers; layer++) { wl[layer] = packed[mlp][layer]; bl[layer] = laneB[mlp][layer]; }
                float[] vb = byIndex[t];
                int count = vb == null ? 0 : vb.length / h;
                if (vb == null) for (int j = 0; j < h; j++) java.util.Arrays.fill(lb0, j * bl4, (j + 1) * bl4, unitBias[j]);
                wd[0] = plans[t].rows();
                float stepScale = rule.stepOf()[t];
                FactoredDims fd = gt.f();
                int ri0 = fd == null ? un.a() : fd.row(un.a()), ci0 = fd == null ? 0 : fd.col(un.a());
                int rowStep = fd == null ? 1 : gt.rowStep(), colStep = fd == null ? 0 : gt.colStep();
                int vi0 = vb == null ? 0 : rowStep != 0 ? ri0 : ci0;
                for (int e = un.a(); e < un.b(); e += bl4) {
                    if (vb != null) indexBias(lb0, vb, count, unitBias, h, blocks, vi0 + (e - un.a()), un.b() - e);
                    for (int blk = 0; blk < blocks; blk++) {
                        int eh = e + blk * lanes, n = Math.min(lanes, un.b() - eh), d = eh - un.a();
                        if (n == lanes && fd != null) LaneFeatures.writeFactored(x, bl4, blk * lanes, gt, eh, ri0 + rowStep * d, ci0 + colStep * d, st, slots, plans[t]);
                        else if (n == lanes) LaneFeatures.writeDiagonal(x, bl4, blk * lanes, gt, eh, st, slots);
                        else if (n > 0) LaneFeatures.write(x, bl4, blk * lanes, tmp, gt, eh, ri0 + rowStep * d, ci0 + colStep * d, n, st, slots, plans[t]);
                        else for (int q = 0; q < wd[0]; q++) java.util.Arrays.fill(x, q * bl4 + blk * lanes, q * bl4 + blk * lanes + lanes, 0f);
                    }
                    float[] out = LaneMlp.evalPacked(wl, bl, wd, x, y, blocks);
                    for (int blk = 0; blk < blocks; blk++) {
                        int eh = e + blk * lanes, n = Math.min(lanes, un.b() - eh);
                        if (n <= 0) break;
                        FloatVector dir = FloatVector.fromArray(S, out, blk * lanes), mag = FloatVector.fromArray(S, out, bl4 + blk * lanes);
                        FloatVector stepV = dir.mul(org.lopt4j.tensor.cpu.VecMath.exp(mag.mul(expMult))).mul(stepScale);
                        int at = gt.off() + eh;
                        if (n == lanes) {
                            FloatVector q = FloatVector.fromArray(S, p, at).sub(stepV);
                            (decay == 0 ? q : q.sub(q.mul(decay))).intoArray(p, at);
                        } else {
                            stepV.intoArray(tmp, 0);
                            for (int j = 0; j < n; j++) {
                                float q = p[at + j] - tmp[j];
                                p[at + j] = decay == 0 ? q : q - decay * q;
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * feature_sums: each tensor's feature scales 1/√(1e-5 + mean of squares). Per element only the features that vary; a
     * factored tensor's row and column features from their accumulators, each value counted as often as elements share
     * it (the size of the axis its index drops).
     */
    private static float[][] featureScales(SlabLayout l, Slots slots, List<Unit> units, Geo[] geo, LaneFeatures.State st) {
        int nf = slots.count(), lanes = S.length();
        double[][] partial = new double[units.size()][nf];
        int[] order = LaneFeatures.sumOrder(slots);
        Parallel.forBatches(units.size(), 4, () -> new float[][] {new float[nf * lanes], new float[lanes], new float[18 * lanes]}, (sc, from, to) -> {
            float[] x = sc[0], tmp = sc[1], sums = sc[2];
            for (int u = from; u < to; u++) {
                Unit un = units.get(u);
                Geo gt = geo[un.t()];
                int e = LaneFeatures.sumSquares(gt, un.a(), un.b(), st, slots, partial[u], tmp, sums, order);
                for (; e < un.b(); e += lanes) {                          // the unit's last, short block
                    int n = Math.min(lanes, un.b() - e);
                    features(x, tmp, gt, e, n, st.p(), st.g(), st.v(), st.m(), st.r(), st.c(), slots);
                    if (slots.velo()) veloRows(x, lanes, slots);
                    for (int q = 0; q < nf; q++) for (int j = 0; j < n; j++) partial[u][q] += (double) x[q * lanes + j] * x[q * lanes + j];
                }
            }
        });
        double[][] sums = new double[l.count()][nf];
        for (int u = 0; u < units.size(); u++) for (int q = 0; q < nf; q++) sums[units.get(u).t()][q] += partial[u][q];
        for (int t = 0; t < l.count(); t++) {
            Geo gt = geo[t];
            FactoredDims fd = gt.f();
            if (fd == null) continue;
            int perRow = fd.shape().dim(fd.d0()), perCol = fd.shape().dim(fd.d1());
            for (int k = 0; k < 3; k++) {
                sums[t][slots.row() + k] = perRow * squares(st.r()[k], gt.ro(), gt.rowRs()[k].length);
                sums[t][slots.col() + k] = perCol * squares(st.c()[k], gt.co(), gt.colRs()[k].length);
                sums[t][slots.rrs() + k] = perRow * squares(gt.rowRs()[k], 0, gt.rowRs()[k].length);
                sums[t][slots.crs() + k] = perCol * squares(gt.colRs()[k], 0, gt.colRs()[k].length);
            }
        }
        float[][] scale = new float[l.count()][nf];
        for (int t = 0; t < l.count(); t++) {
            for (int q = 0; q < nf; q++) scale[t][q] = (float) (1 / Math.sqrt(1e-5 + sums[t][q] / Math.max(1, l.numel(t))));
        }
        return scale;
    }

    private static double squares(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[off + i] * a[off + i];
        return s;
    }

    /** At most this many floats per tensor for {@link #indexInputs}; beyond it the varying features stay MLP inputs. */
    static final int FOLD_LIMIT = 1 << 20;
    /**
     * {@link #indexInputs} for first layers at most this wide: at width 4 it made the apply pass 7–10 % faster (small_fc_lopt(4),
     * VeLO), at width 32 it made it 3 % slower (the per-lane bias costs 2·32 vector adds per 32 elements) — measured.
     */
    static final int FOLD_WIDTH = 8;

    /**
     * A factored tensor's row (or column) features vary along its runs but are the same for every run through the
     * same accumulator index: their first-layer input, {@code out[j·count + i] = Σ_k acc_k[i]·W(acc_k)_j +
     * rs_k[i]·W(rs_k)_j} over the scaled weights {@code sw}, is formed once per index instead of once per element.
     */
    private static float[] indexInputs(float[] sw, int h, float[][] acc, int accOff, float[][] rs, int accSlot, int rsSlot, int count) {
        float[] out = new float[h * count];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < count; i++) {
                float v = 0f;
                for (int k = 0; k < 3; k++) v += acc[k][accOff + i] * sw[(accSlot + k) * h + j] + rs[k][i] * sw[(rsSlot + k) * h + j];
                out[j * count + i] = v;
            }
        }
        return out;
    }

    /**
     * The first layer's per-lane bias for the {@code blocks} lane blocks from varying index {@code vi} ({@code left}
     * elements remain in the run): the run's bias plus {@link #indexInputs} of each lane's index; lanes past the run
     * get the run's bias alone.
     */
    private static void indexBias(float[] lb, float[] vb, int count, float[] unitBias, int h, int blocks, int vi, int left) {
        int lanes = S.length(), bl = blocks * lanes;
        if (left >= bl) {
            for (int j = 0, at = 0, src = vi; j < h; j++, at += bl, src += count) {
                FloatVector ub = FloatVector.broadcast(S, unitBias[j]);
                for (int q = 0; q < bl; q += lanes) FloatVector.fromArray(S, vb, src + q).add(ub).intoArray(lb, at + q);
            }
            return;
        }
        for (int j = 0; j < h; j++) {
            for (int blk = 0; blk < blocks; blk++) {
                int n = Math.min(lanes, left - blk * lanes), at = j * bl + blk * lanes, src = j * count + vi + blk * lanes;
                if (n == lanes) {
                    FloatVector.fromArray(S, vb, src).add(unitBias[j]).intoArray(lb, at);
                } else {
                    for (int q = 0; q < lanes; q++) lb[at + q] = q < n ? vb[src + q] + unitBias[j] : unitBias[j];
                }
            }
        }
    }

    /**
     * The first layer's bias for a run starting at element {@code e}: the tensor's bias plus the row (column) features
     * that are constant along the run, through their scaled weights {@code sw}.
     */
    private static void constantRowsBias(float[] out, float[] bias, float[] sw, int h, Geo gt, int e, LaneFeatures.State st, Slots sl) {
        System.arraycopy(bias, 0, out, 0, h);
        FactoredDims fd = gt.f();
        if (fd == null) return;
        for (int k = 0; k < 3; k++) {
            if (gt.rowStep() == 0) {
                int ri = fd.row(e);
                float rv = st.r()[k][gt.ro() + ri], rs = gt.rowRs()[k][ri];
                for (int j = 0; j < h; j++) out[j] += rv * sw[(sl.row() + k) * h + j] + rs * sw[(sl.rrs() + k) * h + j];
            }
            if (gt.colStep() == 0) {
                int ci = fd.col(e);
                float cv = st.c()[k][gt.co() + ci], cs = gt.colRs()[k][ci];
                for (int j = 0; j < h; j++) out[j] += cv * sw[(sl.col() + k) * h + j] + cs * sw[(sl.crs() + k) * h + j];
            }
        }
    }

    private static float[] toFloat(double[] d) {
        float[] o = new float[d.length];
        for (int i = 0; i < d.length; i++) o[i] = (float) d[i];
        return o;
    }

    /** {@code n} values from {@code a[off..]} (zero-padded through {@code tmp} when the block is short). */
    private static FloatVector load(float[] a, int off, int n, float[] tmp) {
        if (n == S.length()) return FloatVector.fromArray(S, a, off);
        java.util.Arrays.fill(tmp, 0f);
        System.arraycopy(a, off, tmp, 0, n);
        return FloatVector.fromArray(S, tmp, 0);
    }

    private static FloatVector at(float[] a, int base, int idx, int stepInRun, int n, float[] tmp) {
        return stepInRun == 0 ? FloatVector.broadcast(S, a[base + idx]) : load(a, base + idx, n, tmp);
    }

    /** VeLO's two extra rows from rows already written: clip(g, ±0.1) and g·rs (zero lanes stay 0). */
    private static void veloRows(float[] x, int lanes, Slots sl) {
        FloatVector gv = FloatVector.fromArray(S, x, sl.g() * lanes), rs = FloatVector.fromArray(S, x, sl.rs() * lanes);
        gv.max(-0.1f).min(0.1f).intoArray(x, sl.clipG() * lanes);
        gv.mul(rs).intoArray(x, sl.gRs() * lanes);
    }

    /**
     * The features of the {@code n} lanes starting at element {@code e} (tensor-relative) into {@code x[row·L + lane]}
     * at the rows {@code slots} gives; lanes past {@code n} are zeroed so they add nothing to sums of squares.
     */
    private static void features(float[] x, float[] tmp, Geo gt, int e, int n, float[] p, float[] g, float[] v,
                                 float[][] m, float[][] r, float[][] c, Slots sl) {
        int lanes = S.length(), at = gt.off() + e;
        FloatVector gv = load(g, at, n, tmp), vv = load(v, at, n, tmp);
        FloatVector rs = FloatVector.broadcast(S, 1f).div(vv.add(1e-6f).sqrt());
        gv.intoArray(x, sl.g() * lanes);
        load(p, at, n, tmp).intoArray(x, sl.p() * lanes);
        vv.intoArray(x, sl.v() * lanes);
        rs.intoArray(x, sl.rs() * lanes);
        FactoredDims fd = gt.f();
        int ri = fd == null ? e : fd.row(e), ci = fd == null ? 0 : fd.col(e);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int k = 0; k < 3; k++) {
            FloatVector mk = load(m[k], at, n, tmp);
            mk.intoArray(x, (sl.m() + k) * lanes);
            mk.mul(rs).intoArray(x, (sl.mrs() + k) * lanes);
            FloatVector rowFeat, colFeat, rowRs, colRs, fac, mfac;
            if (fd == null) {
                FloatVector vd = load(r[k], gt.ro() + e, n, tmp);
                rowFeat = vd;
                colFeat = vd;
                rowRs = one.div(vd.add(1e-8f).sqrt());
                colRs = rowRs;
                fac = one.div(vd.add(1e-9f).max(1e-9f).sqrt());
                mfac = one.div(vd.add(sl.mfacEps()).sqrt());
            } else {
                rowFeat = at(r[k], gt.ro(), ri, gt.rowStep(), n, tmp);
                colFeat = at(c[k], gt.co(), ci, gt.colStep(), n, tmp);
                rowRs = at(gt.rowRs()[k], 0, ri, gt.rowStep(), n, tmp);
                colRs = at(gt.colRs()[k], 0, ci, gt.colStep(), n, tmp);
                fac = at(gt.rowFac()[k], 0, ri, gt.rowStep(), n, tmp).mul(at(gt.colFac()[k], 0, ci, gt.colStep(), n, tmp));
                mfac = fac;
            }
            gv.mul(fac).intoArray(x, (sl.gfac() + k) * lanes);
            rowFeat.intoArray(x, (sl.row() + k) * lanes);
            colFeat.intoArray(x, (sl.col() + k) * lanes);
            rowRs.intoArray(x, (sl.rrs() + k) * lanes);
            colRs.intoArray(x, (sl.crs() + k) * lanes);
            mk.mul(mfac).intoArray(x, (sl.mmfac() + k) * lanes);
        }
        if (n < lanes) for (int q = 0; q < sl.count(); q++) java.util.Arrays.fill(x, q * lanes + n, (q + 1) * lanes, 0f);
    }
}
