// cuda_sim_entry.h: how a kernel library built by build.sh describes its entry points to the simulator's runtime
// (libcuda.so.1). build.sh writes, for each .cu, a translation unit that includes the .cu and then lists its
// extern "C" __global__ functions with LOPT4J_SIM_KERNELS; the parameter types come from the functions themselves.
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <tuple>
#include <utility>

struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

// The running CUDA thread's built-in variables; the scheduler points lopt4j_sim_self at them before every switch.
struct lopt4j_sim_builtins {
    uint3 threadIdx, blockIdx;
    dim3 blockDim, gridDim;
};

// The codes cuda_sim.h passes to the runtime.
enum lopt4j_sim_barrier_kind { LOPT4J_SIM_SYNC = 0, LOPT4J_SIM_SYNC_COUNT, LOPT4J_SIM_SYNC_AND, LOPT4J_SIM_SYNC_OR };
enum lopt4j_sim_warp_op {
    LOPT4J_SIM_SHFL_IDX = 0, LOPT4J_SIM_SHFL_UP, LOPT4J_SIM_SHFL_DOWN, LOPT4J_SIM_SHFL_BFLY,
    LOPT4J_SIM_VOTE_ALL, LOPT4J_SIM_VOTE_ANY, LOPT4J_SIM_VOTE_BALLOT, LOPT4J_SIM_SYNCWARP
};
enum lopt4j_sim_atomic_op {
    LOPT4J_SIM_A_ADD = 0, LOPT4J_SIM_A_SUB, LOPT4J_SIM_A_EXCH, LOPT4J_SIM_A_MIN, LOPT4J_SIM_A_MAX, LOPT4J_SIM_A_INC,
    LOPT4J_SIM_A_DEC, LOPT4J_SIM_A_CAS, LOPT4J_SIM_A_AND, LOPT4J_SIM_A_OR, LOPT4J_SIM_A_XOR
};
enum lopt4j_sim_atomic_type { LOPT4J_SIM_T_SIGNED = 0, LOPT4J_SIM_T_UNSIGNED, LOPT4J_SIM_T_FLOAT };

namespace lopt4j_sim {

using Erased = void (*)();

/** One entry point: its name, its parameters and how to unpack a launch's kernelParams into a call. */
struct KernelEntry {
    const char* name;
    Erased fn;
    unsigned nparams;
    const unsigned* sizes;                            // bytes of each parameter
    unsigned arg_bytes, arg_align;                    // the block the parameter values are copied into at launch
    void (*pack)(void* const* params, void* block);   // cuLaunchKernel's kernelParams -> block
    void (*call)(Erased fn, const void* block);       // runs the body for the CUDA thread the fiber stands for
    unsigned max_threads;                             // __launch_bounds__, 0 when there is none
};

/** What lopt4j_sim_kernel_table() returns. */
struct KernelTable {
    unsigned count;
    const KernelEntry* entries;
};

// The argument block is a std::tuple of the parameter types. pack and call read and write that host memory, so they
// are not instrumented: the runtime's checks see only what the kernel body itself touches.
template <typename... A>
struct Signature {
    using Tuple = std::tuple<A...>;
    static constexpr unsigned sizes[sizeof...(A) + 1] = {(unsigned)sizeof(A)..., 0u};

    template <std::size_t... I>
    __attribute__((no_sanitize_thread)) static void pack_each(void* const* params, Tuple* t, std::index_sequence<I...>) {
        (std::memcpy(static_cast<void*>(&std::get<I>(*t)), params[I], sizeof(std::tuple_element_t<I, Tuple>)), ...);
        (void)params;
    }
    __attribute__((no_sanitize_thread)) static void pack(void* const* params, void* block) {
        pack_each(params, new (block) Tuple(), std::index_sequence_for<A...>{});
    }

    template <std::size_t... I>
    __attribute__((no_sanitize_thread)) static void call_each(Erased fn, const Tuple* t, std::index_sequence<I...>) {
        reinterpret_cast<void (*)(A...)>(fn)(std::get<I>(*t)...);
        (void)t;
    }
    __attribute__((no_sanitize_thread)) static void call(Erased fn, const void* block) {
        call_each(fn, static_cast<const Tuple*>(block), std::index_sequence_for<A...>{});
    }
};

template <typename... A>
constexpr KernelEntry entry(const char* name, void (*fn)(A...), unsigned max_threads) {
    using S = Signature<A...>;
    return KernelEntry{name, reinterpret_cast<Erased>(fn), (unsigned)sizeof...(A), S::sizes,
                       (unsigned)sizeof(typename S::Tuple), (unsigned)alignof(typename S::Tuple), &S::pack, &S::call,
                       max_threads};
}

}  // namespace lopt4j_sim

#define LOPT4J_SIM_KERNEL(name, bound) ::lopt4j_sim::entry(#name, &name, (unsigned)(bound))

// The exported table of a kernel library, and a thread_local anchor whose address makes the dynamic linker allocate
// this host thread's copy of the library's __shared__ variables (the runtime then finds it with dlinfo); the anchor
// also ends the guarded section of cuda_sim.h's __shared__ variables.
#define LOPT4J_SIM_KERNELS(...)                                                                                 \
    static const ::lopt4j_sim::KernelEntry lopt4j_sim_entries[] = {__VA_ARGS__};                               \
    extern "C" __attribute__((visibility("default"))) ::lopt4j_sim::KernelTable lopt4j_sim_kernel_table() {    \
        return {(unsigned)(sizeof(lopt4j_sim_entries) / sizeof(lopt4j_sim_entries[0])), lopt4j_sim_entries};   \
    }                                                                                                           \
    __attribute__((section(".tbss.lopt4j_shared"), used)) static thread_local unsigned char lopt4j_sim_tls_anchor[256]; \
    extern "C" __attribute__((visibility("default"))) void* lopt4j_sim_tls_touch() { return lopt4j_sim_tls_anchor; }
