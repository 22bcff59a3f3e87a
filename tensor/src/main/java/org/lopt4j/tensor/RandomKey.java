package org.lopt4j.tensor;

/**
 * A splittable key for the counter-based Philox-4x32-10 generator. Element {@code i} of any random tensor is a
 * pure function of (key, i), so every backend draws bit-identical streams and ES can store seeds instead of noise.
 * Counter words {@code (c0, c1, c2, c3)}: {@code (i_lo, i_hi, 0, 0)} for element i (see {@link Sampling}),
 * {@code (i, 0, 0, SPLIT)} for {@link #child(int)}, {@code (d_lo, d_hi, 0, FOLD)} for {@link #fold(long)} and
 * {@code (i, 0, 0, PERM)} for {@link #permutation(int)}; a derived key is words (w0, w1) of its block. The tags
 * SPLIT, FOLD, PERM are the ASCII words "SPLT", "FOLD", "PERM" so the four uses never share a counter.
 */
public record RandomKey(int k0, int k1) {
    static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85;
    private static final int SPLIT = 0x53504C54, FOLD = 0x464F4C44, PERM = 0x5045524D;

    /** A key from a 64-bit seed. */
    public static RandomKey of(long seed) { return new RandomKey((int) seed, (int) (seed >>> 32)); }

    /** The {@code i}-th of the independent child keys of this key. */
    public RandomKey child(int i) {
        int[] r = philox(k0, k1, i, 0, 0, SPLIT);
        return new RandomKey(r[0], r[1]);
    }

    /** {@code n} independent child keys. */
    public RandomKey[] split(int n) {
        RandomKey[] ks = new RandomKey[n];
        for (int i = 0; i < n; i++) ks[i] = child(i);
        return ks;
    }

    /** A key derived from this one and {@code data} (JAX's fold_in). */
    public RandomKey fold(long data) {
        int[] r = philox(k0, k1, (int) data, (int) (data >>> 32), 0, FOLD);
        return new RandomKey(r[0], r[1]);
    }

    /** The four 32-bit words of the Philox block for counter {@code (c0, c1, c2, c3)} under this key. */
    public int[] block(int c0, int c1, int c2, int c3) { return philox(k0, k1, c0, c1, c2, c3); }

    /**
     * Element {@code i} (row-major) of a random tensor of {@code dtype} drawn from {@code dist}, computed in double
     * for F64 and in float otherwise, exactly as defined in {@link Sampling}; an integer dtype is refused.
     */
    public double sample(Op.Dist dist, DType dtype, long i) { return Sampling.sample(this, dist, dtype, i); }

    /**
     * A uniformly random permutation of {@code 0..n-1}. Definition: element i gets the 64-bit unsigned sort key
     * {@code (w0 << 32) | w1} of the block at counter {@code (i, 0, 0, PERM)}; the result lists the indices in
     * increasing (key, index) order. Integer-only and a strict total order, so any correct sort on any backend (a GPU
     * radix sort on the 96-bit (key, index) pairs included) gives the same array. Equal keys, the only departure
     * from uniformity, have probability below n²/2⁶⁵.
     */
    public int[] permutation(int n) {
        if (n < 0) throw new IllegalArgumentException("permutation size must be >= 0, got " + n);
        long[] sortKey = new long[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            int[] w = philox(k0, k1, i, 0, 0, PERM);
            sortKey[i] = ((long) w[0] << 32) | (w[1] & 0xFFFFFFFFL);
            order[i] = i;
        }
        mergeSort(order, new int[n], sortKey);
        return order;
    }

    /** Stable bottom-up merge sort of indices by unsigned key; from the identity order, ties stay in index order. */
    private static void mergeSort(int[] a, int[] tmp, long[] sortKey) {
        int n = a.length;
        for (long width = 1; width < n; width *= 2) {
            for (long start = 0; start + width < n; start += 2 * width) {
                int lo = (int) start, mid = (int) (start + width), hi = (int) Math.min(start + 2 * width, n);
                int i = lo, j = mid, t = lo;
                while (i < mid && j < hi) {
                    tmp[t++] = Long.compareUnsigned(sortKey[a[j]], sortKey[a[i]]) < 0 ? a[j++] : a[i++];
                }
                while (i < mid) tmp[t++] = a[i++];
                while (j < hi) tmp[t++] = a[j++];
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
    }

    /**
     * Philox-4x32 with 10 rounds (Salmon et al. 2011), Random123's word order: each round, with unsigned 64-bit
     * products {@code p0 = M0·x0} and {@code p1 = M1·x2}, maps (x0, x1, x2, x3) to
     * {@code (hi(p1) ^ x1 ^ a, lo(p1), hi(p0) ^ x3 ^ b, lo(p0))}, then bumps the key {@code a += W0, b += W1}.
     * Matches Random123's kat_vectors (see RandomKeyTest).
     */
    static int[] philox(int key0, int key1, int c0, int c1, int c2, int c3) {
        int x0 = c0, x1 = c1, x2 = c2, x3 = c3, a = key0, b = key1;
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (x0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (x2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ x1 ^ a;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ x3 ^ b;
            int n3 = (int) p0;
            x0 = n0; x1 = n1; x2 = n2; x3 = n3;
            a += W0;
            b += W1;
        }
        return new int[] {x0, x1, x2, x3};
    }
}
