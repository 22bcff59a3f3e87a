// sim_check.cpp: every load and store of a kernel body, seen through GCC's ThreadSanitizer instrumentation: build.sh
// compiles the kernels with -fsanitize=thread, and these __tsan_* functions take the place of libtsan. Per access:
// - global memory: inside a live allocation of the launching context, naturally aligned; otherwise the launch fails
//   with CUDA_ERROR_ILLEGAL_ADDRESS (or MISALIGNED_ADDRESS) and the report names the allocation it missed;
// - shared memory: inside one __shared__ variable (or the launch's dynamic shared memory); a read of bytes not written
//   since the block started is an error; so is a race: two threads touching a 4-byte word between the same two
//   barriers, at least one of them writing (lanes of one warp are ordered by a __syncwarp between them; atomics do not
//   race with each other). The shadow keeps the last writer and the last reader(s) of each word;
// - the fiber's own stack and the libraries' constants are fine; any other address is host memory: an error.
#include <dlfcn.h>

#include <cstring>

#include "sim.h"

namespace sim {

Ranges g_ranges;

namespace {
constexpr uint16_t kMany = 0xFFFF;
constexpr uintptr_t kSharedSlack = 4096;  // just past the static shared block still counts as shared (out of bounds)

struct Word {
    uint64_t w_iv, r_iv;   // barrier interval of the last write / read
    uint32_t w_ws, r_ws;   // the accessing warp's __syncwarp count then
    uint16_t w_tid, r_tid; // thread (linear), kMany for several readers
    uint8_t init;          // bytes written since the block started (valid when w_iv >= g_first_iv)
    uint8_t atomic;        // the last write was an atomic
};

std::vector<Word> g_shadow;  // the words of the static __shared__ block, then those of the dynamic shared memory
const Library* g_lib = nullptr;
void* g_context = nullptr;
uint64_t g_first_iv = 0, g_iv = 0;
uintptr_t g_static_base = 0;  // shared_lo rounded down to 4 bytes
size_t g_static_words = 0;

const char* rw(bool write) { return write ? "write" : "read"; }

bool synced(int u, uint32_t u_ws, int t) {
    return u != kMany && u / 32 == t / 32 && current_warp_syncs(t / 32) > u_ws;
}

// `name` [lo, hi) of the shared location, for reports.
std::string shared_name(uintptr_t a, unsigned size) {
    if (a - g_ranges.dyn_lo < g_ranges.dyn_len) {
        return format("dynamic shared memory bytes [%lu, %lu)", (unsigned long)(a - g_ranges.dyn_lo),
                      (unsigned long)(a - g_ranges.dyn_lo + size));
    }
    const size_t off = a - g_ranges.shared_lo;
    int v = off < g_lib->byte_var.size() ? g_lib->byte_var[off] : -1;
    if (v < 0) return format("shared memory at offset %lu", (unsigned long)off);
    const SharedVar& s = g_lib->shared[v];
    return format("__shared__ %s bytes [%lu, %lu) of %u", s.name.c_str(), (unsigned long)(off - s.offset),
                  (unsigned long)(off - s.offset + size), s.size);
}

void race(const char* what, int other, uintptr_t a, unsigned size, uintptr_t pc) {
    fail_at(E_LAUNCH_FAILED,
            format("race on %s: %s after %s by %s, with no __syncthreads between them", shared_name(a, size).c_str(),
                   what, other == kMany ? "reads" : "an access", other == kMany ? "several threads" : thread_name(other).c_str()),
            pc);
}

// The shadow of the words [a, a + size) touch; `atomic` accesses read and write.
void shadow(uintptr_t a, unsigned size, bool write, bool atomic, size_t word0, uintptr_t word_base, uintptr_t pc) {
    const int t = g_tid;
    const uint32_t ws = *g_warp_syncs;
    for (uintptr_t w = word_base; w < a + size; w += 4) {
        Word& s = g_shadow[word0 + (w - word_base) / 4];
        const uintptr_t lo = a > w ? a : w, hi = a + size < w + 4 ? a + size : w + 4;
        const uint8_t m = (uint8_t)(((1u << (hi - lo)) - 1) << (lo - w));
        const bool mine_w = s.w_tid == t || synced(s.w_tid, s.w_ws, t);
        if (!write || atomic) {
            const uint8_t init = s.w_iv >= g_first_iv ? s.init : 0;
            if ((init & m) != m) {
                fail_at(E_LAUNCH_FAILED, format("%s of uninitialized %s: not written since the block started",
                                                atomic ? "atomic" : "read", shared_name(a, size).c_str()), pc);
            }
            if (s.w_iv == g_iv && !mine_w && !(atomic && s.atomic)) race(atomic ? "an atomic" : "a read", s.w_tid, a, size, pc);
        }
        if (write) {
            if (!atomic && s.w_iv == g_iv && !mine_w) race("a write", s.w_tid, a, size, pc);
            if (s.r_iv == g_iv && s.r_tid != t && !synced(s.r_tid, s.r_ws, t)) race(atomic ? "an atomic" : "a write", s.r_tid, a, size, pc);
            if (s.w_iv < g_first_iv) s.init = 0;
            s.init |= m;
            s.w_iv = g_iv;
            s.w_tid = (uint16_t)t;
            s.w_ws = ws;
            s.atomic = atomic;
        } else if (s.r_iv != g_iv) {
            s.r_iv = g_iv;
            s.r_tid = (uint16_t)t;
            s.r_ws = ws;
        } else if (s.r_tid != t) {
            s.r_tid = kMany;
        }
    }
}

unsigned alignment_of(unsigned size) { return size >= 8 ? 8 : size; }

inline void global_access(uintptr_t a, unsigned size, bool write, uintptr_t pc) {
    const uint32_t id = g_granule_owner[(a - g_arena_lo) >> kGranuleShift];
    const Allocation& al = g_allocations[id];
    if (id == 0 || al.freed || a + size > al.base + al.size) {
        std::string why;
        memory_find(a, size, &why);
        fail_at(E_ILLEGAL_ADDRESS, format("%u-byte %s of global memory: %s", size, rw(write), why.c_str()), pc);
    }
    if (al.owner != g_context) {
        fail_at(E_ILLEGAL_ADDRESS, format("%u-byte %s of global memory at 0x%lx, which another context allocated", size,
                                          rw(write), (unsigned long)a), pc);
    }
    if (a & (alignment_of(size) - 1)) {
        fail_at(E_MISALIGNED_ADDRESS, format("%u-byte %s of global memory at 0x%lx (offset %lu in its allocation) is not "
                                             "%u-byte aligned", size, rw(write), (unsigned long)a,
                                             (unsigned long)(a - al.base), alignment_of(size)), pc);
    }
}

// Shared memory; returns false when `a` is not shared memory at all.
bool shared_access(uintptr_t a, unsigned size, bool write, bool atomic, uintptr_t pc) {
    if (g_ranges.shared_len && a - g_ranges.shared_lo < g_ranges.shared_len + kSharedSlack) {
        const size_t off = a - g_ranges.shared_lo;
        const size_t last = off + size - 1;
        const int v = off < g_lib->byte_var.size() ? g_lib->byte_var[off] : -1;
        if (v < 0 || last >= g_lib->byte_var.size() || g_lib->byte_var[last] != v) {
            std::string near = "no __shared__ variable";
            for (const SharedVar& s : g_lib->shared) {
                if (s.offset <= off) near = format("%lu bytes after the start of __shared__ %s (%u bytes)",
                                                   (unsigned long)(off - s.offset), s.name.c_str(), s.size);
            }
            fail_at(E_ILLEGAL_ADDRESS, format("%u-byte %s of shared memory out of bounds: offset %lu is %s", size,
                                              rw(write), (unsigned long)off, near.c_str()), pc);
        }
        if (a & (alignment_of(size) - 1)) {
            fail_at(E_MISALIGNED_ADDRESS, format("%u-byte %s of %s is not aligned", size, rw(write), shared_name(a, size).c_str()), pc);
        }
        shadow(a, size, write, atomic, ((a & ~(uintptr_t)3) - g_static_base) >> 2, a & ~(uintptr_t)3, pc);
        return true;
    }
    if (a - g_ranges.dyn_lo < g_ranges.dyn_len) {
        const size_t off = a - g_ranges.dyn_lo;
        if (off + size > g_ranges.dyn_size) {
            fail_at(E_ILLEGAL_ADDRESS, format("%u-byte %s of dynamic shared memory at offset %lu, past the %lu bytes the "
                                              "launch asked for", size, rw(write), (unsigned long)off,
                                              (unsigned long)g_ranges.dyn_size), pc);
        }
        if (a & (alignment_of(size) - 1)) {
            fail_at(E_MISALIGNED_ADDRESS, format("%u-byte %s of %s is not aligned", size, rw(write), shared_name(a, size).c_str()), pc);
        }
        shadow(a, size, write, atomic, g_static_words + (off & ~(size_t)3) / 4, a & ~(uintptr_t)3, pc);
        return true;
    }
    return false;
}

// The common case of shared memory: an aligned 4-byte access to a word of one variable, with nothing to report.
// Returns false when the full check must decide.
inline bool shared_word(uintptr_t a, bool write) {
    const size_t w = (a - g_static_base) >> 2;
    if ((a & 3) || g_static_base != g_ranges.shared_lo || w >= g_lib->word_whole.size() || !g_lib->word_whole[w]) return false;
    Word& s = g_shadow[w];
    const uint16_t t = (uint16_t)g_tid;
    if (write) {
        if ((s.w_iv == g_iv && s.w_tid != t) || (s.r_iv == g_iv && s.r_tid != t)) return false;
        s.init = 0xF;
        s.w_iv = g_iv;
        s.w_tid = t;
        s.w_ws = *g_warp_syncs;
        s.atomic = 0;
        return true;
    }
    if (s.w_iv < g_first_iv || s.init != 0xF || (s.w_iv == g_iv && s.w_tid != t)) return false;
    if (s.r_iv != g_iv) {
        s.r_iv = g_iv;
        s.r_tid = t;
        s.r_ws = *g_warp_syncs;
    } else if (s.r_tid != t) {
        s.r_tid = kMany;
    }
    return true;
}

inline void access(uintptr_t a, unsigned size, bool write, uintptr_t pc) {
    if (!g_ranges.active) return;
    if (a - g_arena_lo < g_arena_len) {
        global_access(a, size, write, pc);
        maybe_preempt();
        return;
    }
    if (g_ranges.shared_len && a - g_ranges.shared_lo < g_ranges.shared_len + kSharedSlack) {
        if (size != 4 || !shared_word(a, write)) shared_access(a, size, write, false, pc);
        maybe_preempt();
        return;
    }
    if (a - g_ranges.stack_lo < g_ranges.stack_len) return;
    if (shared_access(a, size, write, false, pc)) {
        maybe_preempt();
        return;
    }
    if (a - g_ranges.image_lo < g_ranges.image_len || a - g_ranges.rt_lo < g_ranges.rt_len) return;
    fail_at(E_ILLEGAL_ADDRESS, format("%u-byte %s of address 0x%lx, which is neither device memory, shared memory nor "
                                      "the thread's own stack", size, rw(write), (unsigned long)a), pc);
}
}  // namespace

void check_block_start(const Library* lib, void* context, uint64_t interval) {
    g_lib = lib;
    g_context = context;
    g_first_iv = g_iv = interval;
    lib->tls_touch();
    void* tls = nullptr;
    dlinfo(lib->handle, RTLD_DI_TLS_DATA, &tls);
    g_ranges.shared_lo = (uintptr_t)tls;
    g_ranges.shared_len = tls ? lib->tls_size : 0;
    if (tls) memset(tls, 0xFF, lib->tls_size);
    g_static_base = g_ranges.shared_lo & ~(uintptr_t)3;
    g_static_words = (g_ranges.shared_lo + g_ranges.shared_len - g_static_base + 3) / 4;
    const size_t words = g_static_words + (g_ranges.dyn_len + 3) / 4;
    if (g_shadow.size() < words) g_shadow.resize(words, Word{});
    g_ranges.image_lo = lib->image_lo;
    g_ranges.image_len = lib->image_hi - lib->image_lo;
    g_ranges.rt_lo = runtime_image_lo();
    g_ranges.rt_len = runtime_image_hi() - runtime_image_lo();
}

void check_interval(uint64_t interval) { g_iv = interval; }

}  // namespace sim

using namespace sim;

// ------------------------------------------------------------------------------------------------ the hooks
#define LOPT4J_SIM_HOOKS(N)                                                                                  \
    SIM_EXPORT void __tsan_read##N(void* p) { access((uintptr_t)p, N, false, (uintptr_t)__builtin_return_address(0)); } \
    SIM_EXPORT void __tsan_write##N(void* p) { access((uintptr_t)p, N, true, (uintptr_t)__builtin_return_address(0)); } \
    SIM_EXPORT void __tsan_unaligned_read##N(void* p) { access((uintptr_t)p, N, false, (uintptr_t)__builtin_return_address(0)); } \
    SIM_EXPORT void __tsan_unaligned_write##N(void* p) { access((uintptr_t)p, N, true, (uintptr_t)__builtin_return_address(0)); }
LOPT4J_SIM_HOOKS(1)
LOPT4J_SIM_HOOKS(2)
LOPT4J_SIM_HOOKS(4)
LOPT4J_SIM_HOOKS(8)
LOPT4J_SIM_HOOKS(16)

// Aggregate copies: byte by byte, unless they stay on the fiber's stack (the usual case).
static void range(uintptr_t a, unsigned long n, bool write, uintptr_t pc) {
    if (!g_ranges.active || (a - g_ranges.stack_lo < g_ranges.stack_len && a + n - g_ranges.stack_lo <= g_ranges.stack_len)) return;
    for (unsigned long i = 0; i < n; i++) access(a + i, 1, write, pc);
}
SIM_EXPORT void __tsan_read_range(void* p, unsigned long n) { range((uintptr_t)p, n, false, (uintptr_t)__builtin_return_address(0)); }
SIM_EXPORT void __tsan_write_range(void* p, unsigned long n) { range((uintptr_t)p, n, true, (uintptr_t)__builtin_return_address(0)); }
SIM_EXPORT void __tsan_init() {}
SIM_EXPORT void __tsan_func_entry(void*) {}
SIM_EXPORT void __tsan_func_exit() {}

// ------------------------------------------------------------------------------------------------ atomics
SIM_EXPORT unsigned long long lopt4j_sim_atomic(const char* file, int line, void* address, int size, int op, int type,
                                                unsigned long long a, unsigned long long b) {
    preempt_one_in(2);  // atomics of a block happen in a random order
    const uintptr_t p = (uintptr_t)address;
    const uintptr_t pc = 0;
    const std::string site = format(" (atomic at %s:%d)", file, line);
    if (p - g_arena_lo < g_arena_len) {
        std::string why;
        const Allocation* al = memory_find(p, (size_t)size, &why);
        if (!al) fail(E_ILLEGAL_ADDRESS, format("%d-byte atomic on global memory: %s%s", size, why.c_str(), site.c_str()));
        if (al->owner != g_context) fail(E_ILLEGAL_ADDRESS, "atomic on memory another context allocated" + site);
        if (p % (uintptr_t)size) fail(E_MISALIGNED_ADDRESS, format("%d-byte atomic at 0x%lx is not aligned%s", size, (unsigned long)p, site.c_str()));
    } else if (!shared_access(p, (unsigned)size, true, true, pc)) {
        fail(E_ILLEGAL_ADDRESS, format("atomic on 0x%lx, which is neither global nor shared memory%s", (unsigned long)p, site.c_str()));
    }
    unsigned long long old = 0, mask = size == 8 ? ~0ull : 0xFFFFFFFFull;
    memcpy(&old, address, (size_t)size);
    unsigned long long r = old;
    auto as_signed = [&](unsigned long long v) { return size == 8 ? (long long)v : (long long)(int)(unsigned)v; };
    switch (op) {
        case LOPT4J_SIM_A_ADD:
            if (type == LOPT4J_SIM_T_FLOAT && size == 4) {
                float x, y;
                unsigned u = (unsigned)old, v = (unsigned)a;
                memcpy(&x, &u, 4);
                memcpy(&y, &v, 4);
                x = x + y;
                memcpy(&u, &x, 4);
                r = u;
            } else if (type == LOPT4J_SIM_T_FLOAT) {
                double x, y;
                memcpy(&x, &old, 8);
                memcpy(&y, &a, 8);
                x = x + y;
                memcpy(&r, &x, 8);
            } else {
                r = old + a;
            }
            break;
        case LOPT4J_SIM_A_SUB: r = old - a; break;
        case LOPT4J_SIM_A_EXCH: r = a; break;
        case LOPT4J_SIM_A_MIN:
            r = type == LOPT4J_SIM_T_SIGNED ? (as_signed(a) < as_signed(old) ? a : old) : ((a & mask) < old ? a : old);
            break;
        case LOPT4J_SIM_A_MAX:
            r = type == LOPT4J_SIM_T_SIGNED ? (as_signed(a) > as_signed(old) ? a : old) : ((a & mask) > old ? a : old);
            break;
        case LOPT4J_SIM_A_INC: r = old >= (a & mask) ? 0 : old + 1; break;
        case LOPT4J_SIM_A_DEC: r = old == 0 || old > (a & mask) ? a : old - 1; break;
        case LOPT4J_SIM_A_CAS: r = old == (a & mask) ? b : old; break;
        case LOPT4J_SIM_A_AND: r = old & a; break;
        case LOPT4J_SIM_A_OR: r = old | a; break;
        case LOPT4J_SIM_A_XOR: r = old ^ a; break;
        default: fail(E_LAUNCH_FAILED, "unknown atomic operation" + site);
    }
    r &= mask;
    memcpy(address, &r, (size_t)size);
    return old;
}
