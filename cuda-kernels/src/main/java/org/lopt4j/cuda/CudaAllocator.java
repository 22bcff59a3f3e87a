package org.lopt4j.cuda;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import jcuda.driver.CUdeviceptr;

/**
 * A caching device allocator: sizes are rounded up to buckets (at most 25% larger), and a released block goes to its
 * bucket's free list for the next allocation of that size instead of back to the driver. A block is released
 * explicitly ({@link Lease#release()}, e.g. by {@code CudaStorage.release()}) or, as a fallback, once its owner is
 * garbage-collected (a phantom reference polled on every allocation). When the driver is out of memory the allocator
 * frees its cache, then collects garbage once and retries before it throws {@link CudaOutOfMemoryException}.
 *
 * <p>All work on one device runs on one stream, in order, so a block can be handed out again as soon as it is
 * released: later kernels that use it are queued after the earlier ones that did.
 */
final class CudaAllocator {
    /** Smallest block, in bytes (every request up to it shares one bucket). */
    static final long MIN_BLOCK = 512;
    /** How long an out-of-memory retry waits for collected owners, in milliseconds. */
    private static final long GC_WAIT_MS = 200;

    private final DeviceMemory memory;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final Set<Lease> live = new HashSet<>();
    private long bytesInUse, bytesCached;

    CudaAllocator(DeviceMemory memory) { this.memory = memory; }

    /** The bucket a request of {@code bytes} is served from: a multiple of a quarter of its power of two. */
    static long bucket(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        if (bytes <= MIN_BLOCK) return MIN_BLOCK;
        long granule = Long.highestOneBit(bytes) / 4;   // >= 128: four buckets per power of two
        return Math.ceilDiv(bytes, granule) * granule;
    }

    /** A block of at least {@code bytes} owned by {@code owner} until released or until {@code owner} is collected. */
    synchronized Lease allocate(long bytes, Object owner) {
        reclaimCollected();
        long size = bucket(bytes);
        CUdeviceptr p = takeCached(size);
        if (p == null) p = memory.allocate(size);
        if (p == null) {
            trim();
            p = memory.allocate(size);
        }
        if (p == null) {
            collectGarbage();
            trim();
            p = memory.allocate(size);
        }
        if (p == null) {
            throw new CudaOutOfMemoryException("out of device memory on " + memory.deviceName() + " allocating " + bytes
                    + " bytes (bucket " + size + "): " + bytesInUse + " bytes held by live tensors, cache already freed;"
                    + " release tensors you no longer need (CudaStorage.release) or use smaller sizes");
        }
        bytesInUse += size;
        Lease lease = new Lease(this, p, size, owner);
        live.add(lease);
        return lease;
    }

    /** Frees every cached block back to the driver. */
    synchronized void trim() {
        for (ArrayDeque<CUdeviceptr> q : free.values()) {
            for (CUdeviceptr p : q) memory.free(p);
        }
        free.clear();
        bytesCached = 0;
    }

    /** Bytes held by live blocks (bucket sizes). */
    synchronized long bytesInUse() { return bytesInUse; }

    /** Bytes in the free lists. */
    synchronized long bytesCached() { return bytesCached; }

    /** Returns the blocks of owners the garbage collector has found unreachable. */
    synchronized void reclaimCollected() {
        for (Object r; (r = collected.poll()) != null; ) giveBack((Lease) r);
    }

    private CUdeviceptr takeCached(long size) {
        ArrayDeque<CUdeviceptr> q = free.get(size);
        if (q == null || q.isEmpty()) return null;
        bytesCached -= size;
        return q.pop();
    }

    private void collectGarbage() {
        System.gc();   // device memory is invisible to the Java heap: unreachable tensors may still hold blocks
        try {
            Object r = collected.remove(GC_WAIT_MS);
            if (r != null) giveBack((Lease) r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reclaimCollected();
    }

    private synchronized void giveBack(Lease lease) {
        if (lease.returned) return;
        lease.returned = true;
        lease.clear();
        live.remove(lease);
        bytesInUse -= lease.size;
        bytesCached += lease.size;
        free.computeIfAbsent(lease.size, k -> new ArrayDeque<>()).push(lease.ptr);
    }

    /** One allocated block; also the phantom reference that returns it when its owner is collected. */
    static final class Lease extends PhantomReference<Object> {
        private final CudaAllocator allocator;
        private final CUdeviceptr ptr;
        private final long size;
        private boolean returned;   // guarded by allocator

        private Lease(CudaAllocator allocator, CUdeviceptr ptr, long size, Object owner) {
            super(owner, allocator.collected);
            this.allocator = allocator;
            this.ptr = ptr;
            this.size = size;
        }

        /** The block's device address. */
        CUdeviceptr ptr() {
            synchronized (allocator) {
                if (returned) throw new IllegalStateException("device block used after release");
            }
            return ptr;
        }

        /** Bytes in the block (its bucket size). */
        long size() { return size; }

        /** Whether the block went back to the allocator. */
        boolean released() {
            synchronized (allocator) { return returned; }
        }

        /** Returns the block to the allocator's free list; later calls do nothing. */
        void release() { allocator.giveBack(this); }
    }
}
