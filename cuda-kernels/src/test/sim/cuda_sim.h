// cuda_sim.h: the CUDA C++ device dialect on the host, for lopt4j's CUDA simulator (test infrastructure only; it is
// never part of a product jar). build.sh force-includes it (g++ -include) in front of every .cu it compiles for the
// simulator; libcuda.so.1 (sim_*.cpp) provides everything declared extern "C" here. DEVICE_RUNS.md says what the
// simulator checks and what it cannot tell.
//
// Each CUDA thread runs as a user-level fiber of the host thread that executes its block, so:
// - __shared__ is thread_local: one copy per host thread, i.e. per block in flight, poisoned when a block starts;
// - threadIdx/blockIdx/blockDim/gridDim read the running fiber's coordinates;
// - __syncthreads and the warp collectives are rendezvous points of the block's scheduler, which checks that every
//   thread (or every lane of the mask) reaches the same one;
// - memory accesses are checked by the runtime through GCC's ThreadSanitizer instrumentation hooks (-fsanitize=thread
//   with the simulator's own __tsan_* functions, not libtsan);
// - atomics, __trap and assert end up in the runtime, which reports faults as CUDA errors of the launch.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

#include "cuda_sim_entry.h"

#define __CUDACC__ 1
#define __CUDA_ARCH__ 800  // the committed PTX targets compute_80
#define __global__
#define __device__
#define __host__
#define __constant__
#define __managed__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// __shared__ is thread_local (see above). Each variable is preceded by a guard of 256 bytes that belongs to no
// variable, in one section laid out in declaration order (build.sh compiles with -fno-toplevel-reorder, and the kernel
// table's anchor closes the section), so an access just past or before a variable is out of bounds, not a hit in its
// neighbour. (The compiler places static variables of templates itself, each in a section of its own after its
// guard; the checks do not rely on the order.)
#define LOPT4J_SIM_CAT_(a, b) a##b
#define LOPT4J_SIM_CAT(a, b) LOPT4J_SIM_CAT_(a, b)
#define LOPT4J_SIM_SHARED(n)                                                                                   \
    __attribute__((section(".tbss.lopt4j_shared"), used)) thread_local unsigned char LOPT4J_SIM_CAT(lopt4j_sim_guard_, n)[256]; \
    __attribute__((section(".tbss.lopt4j_shared"))) thread_local
#define __shared__ LOPT4J_SIM_SHARED(__COUNTER__)

struct __align__(8) int2 { int x, y; };
struct __align__(8) uint2 { unsigned int x, y; };
struct __align__(8) float2 { float x, y; };
struct __align__(16) int4 { int x, y, z, w; };
struct __align__(16) uint4 { unsigned int x, y, z, w; };
struct __align__(16) float4 { float x, y, z, w; };
struct __align__(16) double2 { double x, y; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline int2 make_int2(int x, int y) { return {x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// The running thread's built-ins (cuda_sim_entry.h), as values. They never change while a CUDA thread runs, so the
// accessors are `const` (the compiler reads them once per kernel) and uninstrumented (they are not kernel memory).
extern "C" const lopt4j_sim_builtins* lopt4j_sim_self;
#define LOPT4J_SIM_BUILTIN(T, NAME)                                                     \
    __attribute__((const, no_sanitize_thread)) inline T lopt4j_sim_##NAME() { return lopt4j_sim_self->NAME; }
LOPT4J_SIM_BUILTIN(uint3, threadIdx)
LOPT4J_SIM_BUILTIN(uint3, blockIdx)
LOPT4J_SIM_BUILTIN(dim3, blockDim)
LOPT4J_SIM_BUILTIN(dim3, gridDim)
#define threadIdx (lopt4j_sim_threadIdx())
#define blockIdx (lopt4j_sim_blockIdx())
#define blockDim (lopt4j_sim_blockDim())
#define gridDim (lopt4j_sim_gridDim())
#define warpSize 32

// ------------------------------------------------------------------------------------------------ runtime entry points
extern "C" {
int lopt4j_sim_barrier(const char* file, int line, int kind, int predicate);
unsigned long long lopt4j_sim_warp(const char* file, int line, int op, unsigned int mask, unsigned long long value,
                                   int b, int c);
unsigned int lopt4j_sim_activemask(void);
unsigned long long lopt4j_sim_atomic(const char* file, int line, void* address, int size, int op, int type,
                                     unsigned long long a, unsigned long long b);
void* lopt4j_sim_dynamic_shared(void);
[[noreturn]] void lopt4j_sim_trap(const char* file, int line, const char* what);
}

// ------------------------------------------------------------------------------------------------ barriers, warps
inline void __syncthreads(const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    lopt4j_sim_barrier(f, l, LOPT4J_SIM_SYNC, 1);
}
inline int __syncthreads_count(int p, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return lopt4j_sim_barrier(f, l, LOPT4J_SIM_SYNC_COUNT, p != 0);
}
inline int __syncthreads_and(int p, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return lopt4j_sim_barrier(f, l, LOPT4J_SIM_SYNC_AND, p != 0);
}
inline int __syncthreads_or(int p, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return lopt4j_sim_barrier(f, l, LOPT4J_SIM_SYNC_OR, p != 0);
}
inline void __syncwarp(unsigned int mask = 0xffffffffu, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    lopt4j_sim_warp(f, l, LOPT4J_SIM_SYNCWARP, mask, 0, 0, 0);
}
inline unsigned int __activemask() { return lopt4j_sim_activemask(); }
inline void __threadfence() {}        // every access is sequentially consistent in the simulator
inline void __threadfence_block() {}
inline void __threadfence_system() {}

// A value of up to 8 bytes through one warp collective (PTX shfl.sync: mode, source operand b, clamp/segment c).
template <typename T>
inline T lopt4j_sim_shfl(const char* f, int l, int op, unsigned int mask, T v, int b, int c) {
    static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8, "shuffles move values of up to 8 bytes");
    unsigned long long bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = lopt4j_sim_warp(f, l, op, mask, bits, b, c);
    T r;
    std::memcpy(&r, &bits, sizeof(T));
    return r;
}
template <typename T>
inline T __shfl_sync(unsigned int mask, T v, int src, int width = 32, const char* f = __builtin_FILE(),
                     int l = __builtin_LINE()) {
    return lopt4j_sim_shfl(f, l, LOPT4J_SIM_SHFL_IDX, mask, v, src, ((32 - width) << 8) | 0x1f);
}
template <typename T>
inline T __shfl_up_sync(unsigned int mask, T v, unsigned int delta, int width = 32, const char* f = __builtin_FILE(),
                        int l = __builtin_LINE()) {
    return lopt4j_sim_shfl(f, l, LOPT4J_SIM_SHFL_UP, mask, v, (int)delta, (32 - width) << 8);
}
template <typename T>
inline T __shfl_down_sync(unsigned int mask, T v, unsigned int delta, int width = 32,
                          const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return lopt4j_sim_shfl(f, l, LOPT4J_SIM_SHFL_DOWN, mask, v, (int)delta, ((32 - width) << 8) | 0x1f);
}
template <typename T>
inline T __shfl_xor_sync(unsigned int mask, T v, int lane_mask, int width = 32, const char* f = __builtin_FILE(),
                         int l = __builtin_LINE()) {
    return lopt4j_sim_shfl(f, l, LOPT4J_SIM_SHFL_BFLY, mask, v, lane_mask, ((32 - width) << 8) | 0x1f);
}
inline int __all_sync(unsigned int mask, int p, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return (int)lopt4j_sim_warp(f, l, LOPT4J_SIM_VOTE_ALL, mask, p != 0, 0, 0);
}
inline int __any_sync(unsigned int mask, int p, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return (int)lopt4j_sim_warp(f, l, LOPT4J_SIM_VOTE_ANY, mask, p != 0, 0, 0);
}
inline unsigned int __ballot_sync(unsigned int mask, int p, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
    return (unsigned int)lopt4j_sim_warp(f, l, LOPT4J_SIM_VOTE_BALLOT, mask, p != 0, 0, 0);
}

// ------------------------------------------------------------------------------------------------ atomics
template <typename T>
inline unsigned long long lopt4j_sim_bits(T v) {
    unsigned long long b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <typename T>
inline T lopt4j_sim_from_bits(unsigned long long b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}
template <typename T>
inline constexpr int lopt4j_sim_type() {
    return std::is_floating_point<T>::value ? LOPT4J_SIM_T_FLOAT
           : std::is_signed<T>::value      ? LOPT4J_SIM_T_SIGNED
                                           : LOPT4J_SIM_T_UNSIGNED;
}
template <typename T>
inline T lopt4j_sim_atomic_op(int op, T* p, T a, T b, const char* f, int l) {
    return lopt4j_sim_from_bits<T>(lopt4j_sim_atomic(f, l, p, (int)sizeof(T), op, lopt4j_sim_type<T>(),
                                                     lopt4j_sim_bits(a), lopt4j_sim_bits(b)));
}
#define LOPT4J_SIM_ATOMIC(NAME, OP, T)                                                                    \
    inline T NAME(T* p, T v, const char* f = __builtin_FILE(), int l = __builtin_LINE()) {                \
        return lopt4j_sim_atomic_op<T>(OP, p, v, (T)0, f, l);                                            \
    }
#define LOPT4J_SIM_ATOMIC_INTS(NAME, OP)                                                                  \
    LOPT4J_SIM_ATOMIC(NAME, OP, int)                                                                      \
    LOPT4J_SIM_ATOMIC(NAME, OP, unsigned int)                                                             \
    LOPT4J_SIM_ATOMIC(NAME, OP, unsigned long long)
LOPT4J_SIM_ATOMIC_INTS(atomicAdd, LOPT4J_SIM_A_ADD)
LOPT4J_SIM_ATOMIC(atomicAdd, LOPT4J_SIM_A_ADD, float)
LOPT4J_SIM_ATOMIC(atomicAdd, LOPT4J_SIM_A_ADD, double)
LOPT4J_SIM_ATOMIC(atomicSub, LOPT4J_SIM_A_SUB, int)
LOPT4J_SIM_ATOMIC(atomicSub, LOPT4J_SIM_A_SUB, unsigned int)
LOPT4J_SIM_ATOMIC_INTS(atomicExch, LOPT4J_SIM_A_EXCH)
LOPT4J_SIM_ATOMIC(atomicExch, LOPT4J_SIM_A_EXCH, float)
LOPT4J_SIM_ATOMIC_INTS(atomicMin, LOPT4J_SIM_A_MIN)
LOPT4J_SIM_ATOMIC(atomicMin, LOPT4J_SIM_A_MIN, long long)
LOPT4J_SIM_ATOMIC_INTS(atomicMax, LOPT4J_SIM_A_MAX)
LOPT4J_SIM_ATOMIC(atomicMax, LOPT4J_SIM_A_MAX, long long)
LOPT4J_SIM_ATOMIC_INTS(atomicAnd, LOPT4J_SIM_A_AND)
LOPT4J_SIM_ATOMIC_INTS(atomicOr, LOPT4J_SIM_A_OR)
LOPT4J_SIM_ATOMIC_INTS(atomicXor, LOPT4J_SIM_A_XOR)
LOPT4J_SIM_ATOMIC(atomicInc, LOPT4J_SIM_A_INC, unsigned int)
LOPT4J_SIM_ATOMIC(atomicDec, LOPT4J_SIM_A_DEC, unsigned int)
#define LOPT4J_SIM_ATOMIC_CAS(T)                                                                          \
    inline T atomicCAS(T* p, T compare, T v, const char* f = __builtin_FILE(), int l = __builtin_LINE()) { \
        return lopt4j_sim_atomic_op<T>(LOPT4J_SIM_A_CAS, p, compare, v, f, l);                            \
    }
LOPT4J_SIM_ATOMIC_CAS(int)
LOPT4J_SIM_ATOMIC_CAS(unsigned int)
LOPT4J_SIM_ATOMIC_CAS(unsigned long long)

inline void __trap(const char* f = __builtin_FILE(), int l = __builtin_LINE()) { lopt4j_sim_trap(f, l, "__trap()"); }

// ------------------------------------------------------------------------------------------------ math
// The __*_rn intrinsics are the IEEE operations in round-to-nearest (SSE arithmetic, no FMA contraction: build.sh
// compiles with -ffp-contract=off for the baseline x86-64 target).
using std::isfinite;
using std::isinf;
using std::isnan;
using std::signbit;
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return std::sqrt(a); }
inline float __frcp_rn(float a) { return 1.0f / a; }
inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dsub_rn(double a, double b) { return a - b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __ddiv_rn(double a, double b) { return a / b; }
inline double __dsqrt_rn(double a) { return std::sqrt(a); }
inline double __fma_rn(double a, double b, double c) { return std::fma(a, b, c); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __expf(float a) { return std::exp(a); }
inline float __logf(float a) { return std::log(a); }
inline float rsqrtf(float a) { return 1.0f / std::sqrt(a); }
inline double rsqrt(double a) { return 1.0 / std::sqrt(a); }
inline float __saturatef(float a) { return a != a ? 0.0f : (a < 0.0f ? 0.0f : (a > 1.0f ? 1.0f : a)); }

// Conversions toward zero saturate and send NaN to 0, as PTX cvt.rzi does.
template <typename I, typename F>
inline I lopt4j_sim_to_int_rz(F v) {
    if (v != v) return 0;
    if (v <= (F)std::numeric_limits<I>::min()) return std::numeric_limits<I>::min();
    if (v >= (F)std::numeric_limits<I>::max()) return std::numeric_limits<I>::max();
    return (I)v;
}
inline int __float2int_rz(float v) { return lopt4j_sim_to_int_rz<int>(v); }
inline int __double2int_rz(double v) { return lopt4j_sim_to_int_rz<int>(v); }
inline unsigned int __float2uint_rz(float v) { return lopt4j_sim_to_int_rz<unsigned int>(v); }
inline long long __double2ll_rz(double v) { return lopt4j_sim_to_int_rz<long long>(v); }
inline long long __float2ll_rz(float v) { return lopt4j_sim_to_int_rz<long long>(v); }
inline float __int2float_rn(int v) { return (float)v; }
inline float __uint2float_rn(unsigned int v) { return (float)v; }
inline double __int2double_rn(int v) { return (double)v; }
inline unsigned int __float_as_uint(float f) { return (unsigned int)lopt4j_sim_bits(f); }
inline int __float_as_int(float f) { return (int)lopt4j_sim_bits(f); }
inline float __uint_as_float(unsigned int u) { return lopt4j_sim_from_bits<float>(u); }
inline float __int_as_float(int i) { return lopt4j_sim_from_bits<float>((unsigned int)i); }
inline long long __double_as_longlong(double d) { return (long long)lopt4j_sim_bits(d); }
inline double __longlong_as_double(long long v) { return lopt4j_sim_from_bits<double>((unsigned long long)v); }
inline unsigned int __umulhi(unsigned int a, unsigned int b) { return (unsigned int)(((unsigned long long)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline int __popc(unsigned int v) { return __builtin_popcount(v); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline int __ffs(int v) { return __builtin_ffs(v); }
inline int __ffsll(long long v) { return __builtin_ffsll(v); }
inline int __clz(int v) { return v == 0 ? 32 : __builtin_clz((unsigned int)v); }
inline int __clzll(long long v) { return v == 0 ? 64 : __builtin_clzll((unsigned long long)v); }
inline unsigned int __brev(unsigned int v) {
    unsigned int r = 0;
    for (int i = 0; i < 32; i++) r |= ((v >> i) & 1u) << (31 - i);
    return r;
}
template <typename T>
inline T __ldg(const T* p) { return *p; }

// CUDA's overloaded min/max for the integer types (the float ones are fminf/fmaxf and std::fmin/fmax).
#define LOPT4J_SIM_MINMAX(T)                                \
    inline T min(T a, T b) { return a < b ? a : b; }        \
    inline T max(T a, T b) { return a > b ? a : b; }
LOPT4J_SIM_MINMAX(int)
LOPT4J_SIM_MINMAX(unsigned int)
LOPT4J_SIM_MINMAX(long long)
LOPT4J_SIM_MINMAX(unsigned long long)
inline float min(float a, float b) { return std::fmin(a, b); }
inline float max(float a, float b) { return std::fmax(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }
