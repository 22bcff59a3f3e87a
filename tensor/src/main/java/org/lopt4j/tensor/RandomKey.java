package org.lopt4j.tensor;

/**
 * A splittable key for the counter-based Philox-4x32-10 generator. Element {@code i} of any random tensor is a
 * pure function of (key, i), so every backend draws bit-identical streams and ES can store seeds instead of noise.
 * Counter words: {@code (i_lo, i_hi, 0, 0)} for draws, {@code (i, 0, 0, SPLIT)} for {@link #child(int)} and
 * {@code (d_lo, d_hi, 0, FOLD)} for {@link #fold(long)}.
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

    /** Element {@code i} of a random tensor of {@code dtype} drawn from {@code dist}; see {@link Sampling}. */
    public double sample(Op.Dist dist, DType dtype, long i) { return Sampling.sample(this, dist, dtype, i); }

    /**
     * A uniformly random permutation of {@code 0..n-1}: indices sorted by the 64-bit unsigned key
     * {@code (w0 << 32) | w1} of the block at counter {@code (i, 0, 0, PERM)}, ties by index. Integer-only, so every
     * backend agrees.
     */
    public int[] permutation(int n) {
        long[] k = new long[n];
        for (int i = 0; i < n; i++) {
            int[] w = philox(k0, k1, i, 0, 0, PERM);
            k[i] = ((long) w[0] << 32) | (w[1] & 0xFFFFFFFFL);
        }
        return java.util.stream.IntStream.range(0, n).boxed()
                .sorted((a, b) -> { int c = Long.compareUnsigned(k[a], k[b]); return c != 0 ? c : Integer.compare(a, b); })
                .mapToInt(Integer::intValue).toArray();
    }

    /** Philox-4x32 with 10 rounds (Salmon et al. 2011). */
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
