// sim_memory.cpp: the simulated device memory. One large reservation of host address space (the arena) holds every
// allocation, so a device pointer is a host address the kernels dereference directly, and "is this device memory?" is
// one comparison. Each allocation starts on a fresh 64 KiB granule, is followed by at least one unmapped granule,
// starts poisoned (0xFF bytes), and its address is never handed out again while there is unused arena left, so the
// checks can name the allocation an out-of-bounds or use-after-free access was aimed at.
#include <sys/mman.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "sim.h"

namespace sim {

uintptr_t g_arena_lo = 0, g_arena_len = 0;
uint32_t* g_granule_owner = nullptr;
std::vector<Allocation> g_allocations;

namespace {
constexpr uintptr_t kArenaBytes = 1ull << 40;  // address space only: pages are mapped per allocation
constexpr uintptr_t kGranule = 1ull << kGranuleShift;
constexpr uintptr_t kPage = 4096;
uintptr_t next_granule = 0;  // bump pointer, in granules
size_t used_bytes = 0;

uintptr_t round_up(uintptr_t v, uintptr_t to) { return (v + to - 1) / to * to; }

// First granule of a run of `n` granules no live allocation touches, searching from `from`.
bool find_run(uintptr_t from, uintptr_t n, uintptr_t* at) {
    const uintptr_t total = kArenaBytes / kGranule;
    uintptr_t run = 0;
    for (uintptr_t g = from; g < total; g++) {
        uint32_t id = g_granule_owner[g];
        bool free_here = id == 0 || g_allocations[id].freed;
        run = free_here ? run + 1 : 0;
        if (run == n) {
            *at = g + 1 - n;
            return true;
        }
    }
    return false;
}
}  // namespace

std::string format(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

void memory_init() {
    if (g_arena_lo != 0) return;
    void* a = mmap(nullptr, kArenaBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void* t = mmap(nullptr, kArenaBytes / kGranule * sizeof(uint32_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (a == MAP_FAILED || t == MAP_FAILED) {
        fprintf(stderr, "lopt4j cuda-sim: cannot reserve the device arena\n");
        return;
    }
    g_arena_lo = (uintptr_t)a;
    g_arena_len = kArenaBytes;
    g_granule_owner = (uint32_t*)t;
    g_allocations.push_back(Allocation{0, 0, nullptr, true});  // id 0: none
}

CUresult memory_alloc(void* owner, size_t size, uintptr_t* out) {
    if (g_arena_lo == 0) return E_OUT_OF_MEMORY;
    if (size == 0) return E_INVALID_VALUE;
    if (used_bytes + round_up(size, 512) > kTotalMemory) return E_OUT_OF_MEMORY;
    const uintptr_t granules = round_up(size, kGranule) / kGranule + 1;  // + the guard after it
    uintptr_t at = next_granule;
    if (at + granules > kArenaBytes / kGranule && !find_run(0, granules, &at)) return E_OUT_OF_MEMORY;
    const uintptr_t base = g_arena_lo + at * kGranule;
    if (mprotect((void*)base, round_up(size, kPage), PROT_READ | PROT_WRITE) != 0) return E_OUT_OF_MEMORY;
    memset((void*)base, 0xFF, size);
    const uint32_t id = (uint32_t)g_allocations.size();
    g_allocations.push_back(Allocation{base, size, owner, false});
    for (uintptr_t g = at; g < at + granules - 1; g++) g_granule_owner[g] = id;
    if (at == next_granule) next_granule = at + granules;
    used_bytes += round_up(size, 512);
    *out = base;
    return OK;
}

CUresult memory_free(uintptr_t base) {
    if (base < g_arena_lo || base - g_arena_lo >= g_arena_len) return E_INVALID_VALUE;
    uint32_t id = g_granule_owner[(base - g_arena_lo) >> kGranuleShift];
    if (id == 0) return E_INVALID_VALUE;
    Allocation& a = g_allocations[id];
    if (a.freed || a.base != base) return E_INVALID_VALUE;  // double free, or not the start of an allocation
    a.freed = true;
    used_bytes -= round_up(a.size, 512);
    madvise((void*)base, round_up(a.size, kPage), MADV_DONTNEED);
    mprotect((void*)base, round_up(a.size, kPage), PROT_NONE);
    return OK;
}

void memory_free_all(void* owner) {
    for (size_t id = 1; id < g_allocations.size(); id++) {
        if (!g_allocations[id].freed && g_allocations[id].owner == owner) memory_free(g_allocations[id].base);
    }
}

size_t memory_used() { return used_bytes; }

const Allocation* memory_find(uintptr_t a, size_t n, std::string* why) {
    if (a < g_arena_lo || a - g_arena_lo >= g_arena_len) {
        if (why) *why = format("0x%lx is not device memory", (unsigned long)a);
        return nullptr;
    }
    uint32_t id = g_granule_owner[(a - g_arena_lo) >> kGranuleShift];
    if (id == 0) {
        // In a guard granule or never allocated: name the allocation that ends just below, if any.
        uintptr_t g = (a - g_arena_lo) >> kGranuleShift;
        while (g > 0 && g_granule_owner[g] == 0) g--;
        uint32_t below = g_granule_owner[g];
        if (why) {
            if (below != 0 && a >= g_allocations[below].base) {
                const Allocation& b = g_allocations[below];
                *why = format("0x%lx is %lu bytes past the end of the %lu-byte allocation at 0x%lx%s", (unsigned long)a,
                              (unsigned long)(a - (b.base + b.size)), (unsigned long)b.size, (unsigned long)b.base,
                              b.freed ? " (freed)" : "");
            } else {
                *why = format("0x%lx is device address space that was never allocated", (unsigned long)a);
            }
        }
        return nullptr;
    }
    const Allocation& al = g_allocations[id];
    if (al.freed) {
        if (why) *why = format("0x%lx is in the %lu-byte allocation at 0x%lx, which was freed", (unsigned long)a,
                               (unsigned long)al.size, (unsigned long)al.base);
        return nullptr;
    }
    if (a + n > al.base + al.size) {
        if (why) *why = format("[0x%lx, +%lu) reaches %lu bytes past the end of the %lu-byte allocation at 0x%lx (offset %lu)",
                               (unsigned long)a, (unsigned long)n, (unsigned long)(a + n - (al.base + al.size)),
                               (unsigned long)al.size, (unsigned long)al.base, (unsigned long)(a - al.base));
        return nullptr;
    }
    return &al;
}

}  // namespace sim
