package org.lopt4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species of the SIMD backend, chosen once per JVM: the hardware's preferred width, or
 * {@code -Dlopt4j.simd.bits=128|256|512}. They are static finals because the JIT turns Vector API calls into
 * machine instructions only when the species is a constant (an instance field makes every op a slow boxed call).
 */
public final class Species {
    /** Vector width in bits. */
    public static final int BITS = chooseBits();
    public static final VectorSpecies<Float> F32 = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    public static final VectorSpecies<Double> F64 = VectorSpecies.of(double.class, VectorShape.forBitSize(BITS));

    private Species() {}

    private static int chooseBits() {
        String pinned = System.getProperty("lopt4j.simd.bits");
        if (pinned == null || pinned.isBlank() || pinned.trim().equals("0")) return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Integer.parseInt(pinned.trim());
        if (bits != 128 && bits != 256 && bits != 512) throw new IllegalArgumentException("lopt4j.simd.bits must be 0, 128, 256 or 512, not " + bits);
        return bits;
    }
}
