package org.lopt4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** Bucketing, reuse, trimming and out-of-memory handling of the caching allocator, over a counting device. */
class CudaAllocatorTest {
    /** A device with a fixed capacity that counts driver calls (CUdeviceptr objects are plain handles here). */
    static final class CountingDevice implements DeviceMemory {
        final long capacity;
        long used;
        int allocations, frees;

        CountingDevice(long capacity) { this.capacity = capacity; }

        @Override public CUdeviceptr allocate(long bytes) {
            if (used + bytes > capacity) return null;
            used += bytes;
            allocations++;
            return new SizedPtr(bytes);
        }

        @Override public void free(CUdeviceptr block) {
            used -= ((SizedPtr) block).bytes;
            frees++;
        }

        @Override public String deviceName() { return "counting device"; }
    }

    static final class SizedPtr extends CUdeviceptr {
        final long bytes;

        SizedPtr(long bytes) { this.bytes = bytes; }
    }

    @Test void bucketsWasteAtMostAQuarter() {
        assertEquals(512, CudaAllocator.bucket(0));
        assertEquals(512, CudaAllocator.bucket(512));
        assertEquals(640, CudaAllocator.bucket(513));
        for (long n = 1; n < 1L << 34; n = n * 3 + 7) {
            long b = CudaAllocator.bucket(n);
            assertTrue(b >= n && (b <= 512 || b <= n + n / 4 + 1), n + " -> " + b);
        }
        assertEquals(CudaAllocator.bucket(1_000_000), CudaAllocator.bucket(999_999), "nearby sizes share a bucket");
    }

    @Test void releasedBlocksAreReusedBeforeTheDriverIsAsked() {
        CountingDevice dev = new CountingDevice(1 << 20);
        CudaAllocator a = new CudaAllocator(dev);
        Object owner = new Object();
        CudaAllocator.Lease l1 = a.allocate(4000, owner);
        CUdeviceptr p1 = l1.ptr();
        assertEquals(CudaAllocator.bucket(4000), a.bytesInUse());
        l1.release();
        l1.release();   // idempotent
        assertEquals(0, a.bytesInUse());
        assertEquals(CudaAllocator.bucket(4000), a.bytesCached());
        CudaAllocator.Lease l2 = a.allocate(3900, owner);
        assertSame(p1, l2.ptr(), "same bucket: the cached block comes back");
        assertEquals(1, dev.allocations);
        CudaAllocator.Lease l3 = a.allocate(100_000, owner);
        assertNotSame(p1, l3.ptr());
        assertEquals(2, dev.allocations);
        assertThrows(IllegalStateException.class, l1::ptr, "a released lease cannot be used");
    }

    @Test void outOfMemoryFreesTheCacheThenFailsClearly() {
        CountingDevice dev = new CountingDevice(64 * 1024);
        CudaAllocator a = new CudaAllocator(dev);
        List<CudaAllocator.Lease> held = new ArrayList<>();
        Object owner = new Object();
        for (int i = 0; i < 4; i++) held.add(a.allocate(16 * 1024, owner));
        held.removeLast().release();   // 16 KiB cached, in the wrong bucket for the next request
        CudaAllocator.Lease big = a.allocate(12 * 1024, owner);   // needs the cache freed first
        assertEquals(1, dev.frees);
        assertEquals(0, a.bytesCached());
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(32 * 1024, owner));
        assertTrue(e.getMessage().contains("counting device") && e.getMessage().contains("32768"), e.getMessage());
        big.release();
        a.trim();
        assertEquals(3 * 16 * 1024, dev.used, "trim returned the cached block");
    }
}
