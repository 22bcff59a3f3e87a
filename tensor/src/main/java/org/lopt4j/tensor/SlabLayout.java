package org.lopt4j.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where each named tensor of a model lives inside one flat buffer ("slab"), fixed once. Tensors start on
 * {@link #ALIGN}-element boundaries; the gaps hold zeros. Computed once at {@code init} and shared by every role
 * (parameters, gradients, each optimizer state) so that a fused step walks all tensors in one pass.
 */
public record SlabLayout(List<String> names, List<Shape> shapes, int[] offsets, int size) {
    /** Start alignment in elements (64 bytes of F32): whole vectors on the CPU, coalesced loads on GPUs. */
    public static final int ALIGN = 16;

    public SlabLayout {
        names = List.copyOf(names);
        shapes = List.copyOf(shapes);
        offsets = offsets.clone();
        if (names.size() != shapes.size() || offsets.length != names.size()) {
            throw new IllegalArgumentException("names, shapes and offsets differ in length");
        }
        if (new java.util.HashSet<>(names).size() != names.size()) {
            throw new IllegalArgumentException("duplicate tensor names in " + names);
        }
        if (size < 0) throw new IllegalArgumentException("negative slab size " + size);
        long prevEnd = 0;
        for (int i = 0; i < offsets.length; i++) {
            long end = (long) offsets[i] + shapes.get(i).numel();   // long: an int sum could wrap and pass
            if (offsets[i] < prevEnd || end > size) {
                throw new IllegalArgumentException("tensor '" + names.get(i) + "' overlaps or leaves the slab");
            }
            if (offsets[i] % ALIGN != 0) {
                throw new IllegalArgumentException("tensor '" + names.get(i) + "' starts at " + offsets[i] + ", not a multiple of " + ALIGN);
            }
            prevEnd = end;
        }
    }

    /** Lays out {@code named} tensors in the given order, each start aligned to {@link #ALIGN}. */
    public static SlabLayout of(List<String> names, List<Shape> shapes) {
        if (names.size() != shapes.size()) throw new IllegalArgumentException(names.size() + " names for " + shapes.size() + " shapes");
        int[] off = new int[names.size()];
        long at = 0;
        for (int i = 0; i < off.length; i++) {
            off[i] = Math.toIntExact(at);
            at = alignUp(at + shapes.get(i).numel());
        }
        return new SlabLayout(names, shapes, off, Math.toIntExact(at));
    }

    /** Lays out a name → shape map in the JAX tree order (names sorted lexicographically). */
    public static SlabLayout sorted(Map<String, Shape> named) {
        List<String> names = new ArrayList<>(named.keySet());
        Collections.sort(names);
        return of(names, names.stream().map(named::get).toList());
    }

    private static long alignUp(long n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

    public int count() { return names.size(); }

    public Shape shape(int i) { return shapes.get(i); }

    public int offset(int i) { return offsets[i]; }

    public int numel(int i) { return shapes.get(i).numel(); }

    @Override public int[] offsets() { return offsets.clone(); }

    /** Index of the tensor called {@code name}. */
    public int index(String name) {
        int i = names.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no tensor named '" + name + "' in the slab; have " + names);
        return i;
    }

    /** Total number of real (non-gap) elements. */
    public long paramCount() {
        long n = 0;
        for (Shape s : shapes) n += s.numel();
        return n;
    }

    /**
     * The layout repeated for {@code p} population members, member-major: tensor {@code m * count() + i} is member
     * m's copy of tensor i, named {@code "m<m>/" + name}.
     */
    public SlabLayout repeat(int p) {
        if (p < 0) throw new IllegalArgumentException("negative population size " + p);
        List<String> n = new ArrayList<>();
        List<Shape> s = new ArrayList<>();
        for (int m = 0; m < p; m++) {
            for (int i = 0; i < count(); i++) {
                n.add("m" + m + "/" + names.get(i));
                s.add(shapes.get(i));
            }
        }
        return of(n, s);
    }

    /** The block → (tensor, start) table for chunks of {@code chunk} elements that never cross a tensor. */
    public ChunkTable chunks(int chunk) {
        if (chunk <= 0) throw new IllegalArgumentException("chunk must be positive");
        List<int[]> rows = new ArrayList<>();
        for (int i = 0; i < count(); i++) {
            for (long s = 0; s < numel(i); s += chunk) rows.add(new int[] {i, (int) s});   // long: s + chunk may pass 2^31
        }
        int[] t = new int[rows.size()], st = new int[rows.size()];
        for (int r = 0; r < t.length; r++) { t[r] = rows.get(r)[0]; st[r] = rows.get(r)[1]; }
        return new ChunkTable(t, st, chunk);
    }

    @Override public boolean equals(Object o) {
        return o instanceof SlabLayout l && names.equals(l.names) && shapes.equals(l.shapes)
                && Arrays.equals(offsets, l.offsets) && size == l.size;
    }

    @Override public int hashCode() { return names.hashCode() * 31 + shapes.hashCode(); }
}
