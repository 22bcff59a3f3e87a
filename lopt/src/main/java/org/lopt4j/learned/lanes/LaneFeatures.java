package org.lopt4j.learned.lanes;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.lopt4j.tensor.cpu.Species;

/**
 * The Adafactor-style features of {@link LaneRule} that vary from element to element, in vector lanes, for the
 * feature-sum and apply passes. A factored tensor's row (column) features are constant along a run whose last axis
 * drops out of the row (column) index: their sums of squares come from the accumulators themselves and their MLP
 * input folds into a per-run bias, so only the varying ones are computed per element. {@link Plan} says which rows
 * those are, in the order {@link #write} emits them.
 */
final class LaneFeatures {
    private static final VectorSpecies<Float> S = Species.F32;

    private LaneFeatures() {}

    /** The state arrays the features read: parameters, gradients, RMS, momenta and the three accumulator kinds. */
    record State(float[] p, float[] g, float[] v, float[][] m, float[][] r, float[][] c) {}

    /**
     * The varying feature rows of one tensor kind, in emission order: {@code slotsOf[q]} are the feature slots whose
     * (scaled) first-layer weights row q carries (two where an unfactored tensor's row and column features coincide);
     * {@code rowRows} / {@code colRows}: whether a factored tensor's row / column features are rows here (they are not
     * when constant along the run, or when their MLP input is precomputed per accumulator index).
     */
    record Plan(int[][] slotsOf, boolean rowRows, boolean colRows) {
        int rows() { return slotsOf.length; }

        /**
         * Emission order: g, p, v, rs, [VeLO: clip(g), g·rs], then per decay k m_k, m_k·rs, g·fac_k, m_k·mfac_k; then per
         * k: factored, row_k and 1/√row_k where the row varies along the run and col_k, 1/√col_k where the column does;
         * unfactored, the diagonal accumulator (row and column slots) and its 1/√ (both slots).
         */
        static Plan of(LaneRule.Slots sl, boolean factored, boolean rowRows, boolean colRows) {
            List<int[]> q = new ArrayList<>();
            q.add(new int[] {sl.g()});
            q.add(new int[] {sl.p()});
            q.add(new int[] {sl.v()});
            q.add(new int[] {sl.rs()});
            if (sl.velo()) { q.add(new int[] {sl.clipG()}); q.add(new int[] {sl.gRs()}); }
            for (int k = 0; k < 3; k++) {
                q.add(new int[] {sl.m() + k});
                q.add(new int[] {sl.mrs() + k});
                q.add(new int[] {sl.gfac() + k});
                q.add(new int[] {sl.mmfac() + k});
            }
            for (int k = 0; k < 3; k++) {
                if (!factored) {
                    q.add(new int[] {sl.row() + k, sl.col() + k});
                    q.add(new int[] {sl.rrs() + k, sl.crs() + k});
                    continue;
                }
                if (rowRows) { q.add(new int[] {sl.row() + k}); q.add(new int[] {sl.rrs() + k}); }
                if (colRows) { q.add(new int[] {sl.col() + k}); q.add(new int[] {sl.crs() + k}); }
            }
            return new Plan(q.toArray(new int[0][]), rowRows, colRows);
        }
    }

    /** {@code n} values from {@code a[off..]}, zero-padded through {@code tmp} when the block is short. */
    static FloatVector load(float[] a, int off, int n, float[] tmp) {
        if (n == S.length()) return FloatVector.fromArray(S, a, off);
        java.util.Arrays.fill(tmp, 0f);
        System.arraycopy(a, off, tmp, 0, n);
        return FloatVector.fromArray(S, tmp, 0);
    }

    /** A per-index value along a run: the constant {@code a[base + idx]} or the {@code n} contiguous ones from there. */
    private static FloatVector along(float[] a, int base, int idx, boolean varies, int n, float[] tmp) {
        return varies ? load(a, base + idx, n, tmp) : FloatVector.broadcast(S, a[base + idx]);
    }

    /**
     * Writes the plan's rows for the {@code n} lanes from tensor element {@code e} (row and column accumulator indices
     * {@code ri}, {@code ci}) into {@code x[q·stride + at + lane]} (lanes past {@code n} hold values of zero-padded
     * inputs; callers ignore them).
     */
    static void write(float[] x, int stride, int at, float[] tmp, LaneRule.Geo gt, int e, int ri, int ci, int n, State st,
                      LaneRule.Slots sl, Plan plan) {
        int el = gt.off() + e, q = 0;
        FloatVector gv = load(st.g(), el, n, tmp), vv = load(st.v(), el, n, tmp);
        FloatVector rs = FloatVector.broadcast(S, 1f).div(vv.add(1e-6f).sqrt());
        gv.intoArray(x, at);
        load(st.p(), el, n, tmp).intoArray(x, stride + at);
        vv.intoArray(x, 2 * stride + at);
        rs.intoArray(x, 3 * stride + at);
        q = 4;
        if (sl.velo()) {
            gv.max(-0.1f).min(0.1f).intoArray(x, q++ * stride + at);
            gv.mul(rs).intoArray(x, q++ * stride + at);
        }
        var fd = gt.f();
        boolean rowVaries = gt.rowStep() != 0, colVaries = gt.colStep() != 0;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int k = 0; k < 3; k++) {
            FloatVector mk = load(st.m()[k], el, n, tmp), fac, mfac;
            if (fd == null) {
                FloatVector vd = load(st.r()[k], gt.ro() + e, n, tmp);
                fac = one.div(vd.add(1e-9f).max(1e-9f).sqrt());
                mfac = one.div(vd.add(sl.mfacEps()).sqrt());
            } else {
                fac = along(gt.rowFac()[k], 0, ri, rowVaries, n, tmp).mul(along(gt.colFac()[k], 0, ci, colVaries, n, tmp));
                mfac = fac;
            }
            mk.intoArray(x, q++ * stride + at);
            mk.mul(rs).intoArray(x, q++ * stride + at);
            gv.mul(fac).intoArray(x, q++ * stride + at);
            mk.mul(mfac).intoArray(x, q++ * stride + at);
        }
        for (int k = 0; k < 3; k++) {
            if (fd == null) {
                FloatVector vd = load(st.r()[k], gt.ro() + e, n, tmp);
                vd.intoArray(x, q++ * stride + at);
                one.div(vd.add(1e-8f).sqrt()).intoArray(x, q++ * stride + at);
                continue;
            }
            if (plan.rowRows()) {
                load(st.r()[k], gt.ro() + ri, n, tmp).intoArray(x, q++ * stride + at);
                load(gt.rowRs()[k], ri, n, tmp).intoArray(x, q++ * stride + at);
            }
            if (plan.colRows()) {
                load(st.c()[k], gt.co() + ci, n, tmp).intoArray(x, q++ * stride + at);
                load(gt.colRs()[k], ci, n, tmp).intoArray(x, q++ * stride + at);
            }
        }
    }

    /**
     * The rows every tensor kind starts with, for the whole lane block at slab index {@code el}: g, p, v, rs = 1/√(v +
     * 1e-6), and VeLO's clip(g, ±0.1) and g·rs. Returns the next row. (Callers read g and rs back from {@code x}: a
     * vector returned from a method the JIT does not inline is boxed.)
     */
    private static int head(float[] x, int stride, int at, State st, int el, LaneRule.Slots sl) {
        FloatVector gv = FloatVector.fromArray(S, st.g(), el), vv = FloatVector.fromArray(S, st.v(), el);
        FloatVector rs = FloatVector.broadcast(S, 1f).div(vv.add(1e-6f).sqrt());
        gv.intoArray(x, at);
        FloatVector.fromArray(S, st.p(), el).intoArray(x, stride + at);
        vv.intoArray(x, 2 * stride + at);
        rs.intoArray(x, 3 * stride + at);
        if (!sl.velo()) return 4;
        gv.max(-0.1f).min(0.1f).intoArray(x, 4 * stride + at);
        gv.mul(rs).intoArray(x, 5 * stride + at);
        return 6;
    }

    /**
     * {@link #write} for a whole lane block of a factored tensor: the same rows, without the short-block and
     * unfactored branches, so the JIT compiles a short straight path for the common case.
     */
    static void writeFactored(float[] x, int stride, int at, LaneRule.Geo gt, int e, int ri, int ci, State st,
                              LaneRule.Slots sl, Plan plan) {
        int el = gt.off() + e, q = head(x, stride, at, st, el, sl);
        FloatVector gv = FloatVector.fromArray(S, x, at), rs = FloatVector.fromArray(S, x, 3 * stride + at);
        boolean rowVaries = gt.rowStep() != 0, colVaries = gt.colStep() != 0;
        for (int k = 0; k < 3; k++) {
            float[] rf = gt.rowFac()[k], cf = gt.colFac()[k];
            FloatVector mk = FloatVector.fromArray(S, st.m()[k], el);
            FloatVector fac = (rowVaries ? FloatVector.fromArray(S, rf, ri) : FloatVector.broadcast(S, rf[ri]))
                    .mul(colVaries ? FloatVector.fromArray(S, cf, ci) : FloatVector.broadcast(S, cf[ci]));
            mk.intoArray(x, q++ * stride + at);
            mk.mul(rs).intoArray(x, q++ * stride + at);
            gv.mul(fac).intoArray(x, q++ * stride + at);
            mk.mul(fac).intoArray(x, q++ * stride + at);
        }
        for (int k = 0; k < 3; k++) {
            if (plan.rowRows()) {
                FloatVector.fromArray(S, st.r()[k], gt.ro() + ri).intoArray(x, q++ * stride + at);
                FloatVector.fromArray(S, gt.rowRs()[k], ri).intoArray(x, q++ * stride + at);
            }
            if (plan.colRows()) {
                FloatVector.fromArray(S, st.c()[k], gt.co() + ci).intoArray(x, q++ * stride + at);
                FloatVector.fromArray(S, gt.colRs()[k], ci).intoArray(x, q++ * stride + at);
            }
        }
    }

    /** {@link #write} for a whole lane block of an unfactored tensor (diagonal accumulators), without its branches. */
    static void writeDiagonal(float[] x, int stride, int at, LaneRule.Geo gt, int e, State st, LaneRule.Slots sl) {
        int el = gt.off() + e, d = gt.ro() + e, q = head(x, stride, at, st, el, sl);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector gv = FloatVector.fromArray(S, x, at), rs = FloatVector.fromArray(S, x, 3 * stride + at);
        float eps = sl.mfacEps();
        for (int k = 0; k < 3; k++) {
            FloatVector mk = FloatVector.fromArray(S, st.m()[k], el), vd = FloatVector.fromArray(S, st.r()[k], d);
            mk.intoArray(x, q++ * stride + at);
            mk.mul(rs).intoArray(x, q++ * stride + at);
            gv.mul(one.div(vd.add(1e-9f).max(1e-9f).sqrt())).intoArray(x, q++ * stride + at);
            mk.mul(one.div(vd.add(eps).sqrt())).intoArray(x, q++ * stride + at);
        }
        for (int k = 0; k < 3; k++) {
            FloatVector vd = FloatVector.fromArray(S, st.r()[k], d);
            vd.intoArray(x, q++ * stride + at);
            one.div(vd.add(1e-8f).sqrt()).intoArray(x, q++ * stride + at);
        }
    }

    /** The slots of {@link #sumSquares}'s register sums, in the order it stores them (made once per step, not per run). */
    static int[] sumOrder(LaneRule.Slots sl) {
        int[] all = {sl.g(), sl.p(), sl.v(), sl.rs(), sl.m(), sl.m() + 1, sl.m() + 2, sl.mrs(), sl.mrs() + 1, sl.mrs() + 2,
                sl.gfac(), sl.gfac() + 1, sl.gfac() + 2, sl.mmfac(), sl.mmfac() + 1, sl.mmfac() + 2, sl.clipG(), sl.gRs()};
        return java.util.Arrays.copyOf(all, sl.velo() ? 18 : 16);
    }

    /**
     * Adds the sums of squares of the varying features over the whole lane blocks of elements [a, b) of one tensor (a
     * run or part of one) into {@code out} by slot (a factored tensor's row and column slots are left alone: their sums
     * come from the accumulators); the accumulators stay in registers. A square of 1/√x is summed as 1/x, which is what
     * it rounds to, so this pass takes no square roots. {@code sums} is scratch of 18 lane blocks. Returns where the whole
     * blocks end.
     */
    static int sumSquares(LaneRule.Geo gt, int a, int b, State st, LaneRule.Slots sl, double[] out, float[] tmp, float[] sums,
                          int[] order) {
        int lanes = S.length(), end = a + (b - a) / lanes * lanes;
        if (end == a) return a;
        var fd = gt.f();
        float[] g = st.g(), p = st.p(), v = st.v(), m0 = st.m()[0], m1 = st.m()[1], m2 = st.m()[2];
        FloatVector z = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        FloatVector sg = z, sp = z, sv = z, srs = z, scl = z, sgrs = z;
        FloatVector sm0 = z, sm1 = z, sm2 = z, smr0 = z, smr1 = z, smr2 = z;
        FloatVector sgf0 = z, sgf1 = z, sgf2 = z, smf0 = z, smf1 = z, smf2 = z;
        boolean rowVaries = gt.rowStep() != 0, colVaries = gt.colStep() != 0;
        int ri0 = fd == null ? 0 : fd.row(a), ci0 = fd == null ? 0 : fd.col(a);
        float[] r0 = st.r()[0], r1 = st.r()[1], r2 = st.r()[2];
        float[] rf0 = fd == null ? null : gt.rowFac()[0], rf1 = fd == null ? null : gt.rowFac()[1], rf2 = fd == null ? null : gt.rowFac()[2];
        float[] cf0 = fd == null ? null : gt.colFac()[0], cf1 = fd == null ? null : gt.colFac()[1], cf2 = fd == null ? null : gt.colFac()[2];
        FloatVector eps = FloatVector.broadcast(S, sl.mfacEps()), e6 = FloatVector.broadcast(S, 1e-6f), e9 = FloatVector.broadcast(S, 1e-9f);
        for (int e = a; e < end; e += lanes) {
            int el = gt.off() + e;
            FloatVector gv = FloatVector.fromArray(S, g, el), pv = FloatVector.fromArray(S, p, el), vv = FloatVector.fromArray(S, v, el);
            FloatVector rs2 = one.div(vv.add(e6));                       // rs²
            FloatVector g2 = gv.mul(gv);
            sg = sg.add(g2);
            sp = pv.fma(pv, sp);
            sv = vv.fma(vv, sv);
            srs = srs.add(rs2);
            if (sl.velo()) {
                FloatVector cl = gv.max(-0.1f).min(0.1f);
                scl = cl.fma(cl, scl);
                sgrs = g2.fma(rs2, sgrs);
            }
            FloatVector a0 = FloatVector.fromArray(S, m0, el), a1 = FloatVector.fromArray(S, m1, el), a2 = FloatVector.fromArray(S, m2, el);
            FloatVector q0 = a0.mul(a0), q1 = a1.mul(a1), q2 = a2.mul(a2);
            sm0 = sm0.add(q0);
            sm1 = sm1.add(q1);
            sm2 = sm2.add(q2);
            smr0 = q0.fma(rs2, smr0);
            smr1 = q1.fma(rs2, smr1);
            smr2 = q2.fma(rs2, smr2);
            FloatVector f0, f1, f2, n0, n1, n2;                              // fac², mfac²
            if (fd == null) {
                int d = gt.ro() + e;
                FloatVector d0 = FloatVector.fromArray(S, r0, d), d1 = FloatVector.fromArray(S, r1, d), d2 = FloatVector.fromArray(S, r2, d);
                f0 = one.div(d0.add(e9).max(e9));
                f1 = one.div(d1.add(e9).max(e9));
                f2 = one.div(d2.add(e9).max(e9));
                n0 = one.div(d0.add(eps));
                n1 = one.div(d1.add(eps));
                n2 = one.div(d2.add(eps));
            } else {
                int ri = rowVaries ? ri0 + (e - a) : ri0, ci = colVaries ? ci0 + (e - a) : ci0;
                f0 = (rowVaries ? FloatVector.fromArray(S, rf0, ri) : FloatVector.broadcast(S, rf0[ri]))
                        .mul(colVaries ? FloatVector.fromArray(S, cf0, ci) : FloatVector.broadcast(S, cf0[ci]));
                f1 = (rowVaries ? FloatVector.fromArray(S, rf1, ri) : FloatVector.broadcast(S, rf1[ri]))
                        .mul(colVaries ? FloatVector.fromArray(S, cf1, ci) : FloatVector.broadcast(S, cf1[ci]));
                f2 = (rowVaries ? FloatVector.fromArray(S, rf2, ri) : FloatVector.broadcast(S, rf2[ri]))
                        .mul(colVaries ? FloatVector.fromArray(S, cf2, ci) : FloatVector.broadcast(S, cf2[ci]));
                f0 = f0.mul(f0);
                f1 = f1.mul(f1);
                f2 = f2.mul(f2);
                n0 = f0;
                n1 = f1;
                n2 = f2;
            }
            sgf0 = g2.fma(f0, sgf0);
            sgf1 = g2.fma(f1, sgf1);
            sgf2 = g2.fma(f2, sgf2);
            smf0 = q0.fma(n0, smf0);
            smf1 = q1.fma(n1, smf1);
            smf2 = q2.fma(n2, smf2);
        }
        // lane sums through memory: a vector handed to a method that is not inlined would be boxed
        sg.intoArray(sums, 0 * lanes);
        sp.intoArray(sums, 1 * lanes);
        sv.intoArray(sums, 2 * lanes);
        srs.intoArray(sums, 3 * lanes);
        sm0.intoArray(sums, 4 * lanes);
        sm1.intoArray(sums, 5 * lanes);
        sm2.intoArray(sums, 6 * lanes);
        smr0.intoArray(sums, 7 * lanes);
        smr1.intoArray(sums, 8 * lanes);
        smr2.intoArray(sums, 9 * lanes);
        sgf0.intoArray(sums, 10 * lanes);
        sgf1.intoArray(sums, 11 * lanes);
        sgf2.intoArray(sums, 12 * lanes);
        smf0.intoArray(sums, 13 * lanes);
        smf1.intoArray(sums, 14 * lanes);
        smf2.intoArray(sums, 15 * lanes);
        scl.intoArray(sums, 16 * lanes);
        sgrs.intoArray(sums, 17 * lanes);
        for (int q = 0; q < order.length; q++) out[order[q]] += org.lopt4j.tensor.cpu.VecMath.sumInPlace(sums, q * lanes, lanes);
        if (fd == null) diagonalSums(gt, a, end, st, sl, out, tmp);
        return end;
    }

    /** An unfactored tensor's diagonal-accumulator features (row = column, 1/√ of both) over whole blocks [a, end). */
    private static void diagonalSums(LaneRule.Geo gt, int a, int end, State st, LaneRule.Slots sl, double[] out, float[] tmp) {
        int lanes = S.length();
        float[] r0 = st.r()[0], r1 = st.r()[1], r2 = st.r()[2];
        FloatVector z = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f), e8 = FloatVector.broadcast(S, 1e-8f);
        FloatVector s0 = z, s1 = z, s2 = z, q0 = z, q1 = z, q2 = z;
        for (int e = a; e < end; e += lanes) {
            int d = gt.ro() + e;
            FloatVector d0 = FloatVector.fromArray(S, r0, d), d1 = FloatVector.fromArray(S, r1, d), d2 = FloatVector.fromArray(S, r2, d);
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
            s2 = d2.fma(d2, s2);
            q0 = q0.add(one.div(d0.add(e8)));
            q1 = q1.add(one.div(d1.add(e8)));
            q2 = q2.add(one.div(d2.add(e8)));
        }
        float[] acc = new float[6 * lanes];
        s0.intoArray(acc, 0);
        s1.intoArray(acc, lanes);
        s2.intoArray(acc, 2 * lanes);
        q0.intoArray(acc, 3 * lanes);
        q1.intoArray(acc, 4 * lanes);
        q2.intoArray(acc, 5 * lanes);
        double[] sv = new double[3], qv = new double[3];
        for (int k = 0; k < 3; k++) {
            sv[k] = org.lopt4j.tensor.cpu.VecMath.sumInPlace(acc, k * lanes, lanes);
            qv[k] = org.lopt4j.tensor.cpu.VecMath.sumInPlace(acc, (3 + k) * lanes, lanes);
        }
        for (int k = 0; k < 3; k++) {
            out[sl.row() + k] += sv[k];
            out[sl.col() + k] += sv[k];
            out[sl.rrs() + k] += qv[k];
            out[sl.crs() + k] += qv[k];
        }
    }
}
