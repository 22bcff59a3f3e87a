// sim.h: the internals of the simulator's runtime, libcuda.so.1 (test infrastructure; see DEVICE_RUNS.md).
// sim_driver.cpp and sim_stream.cpp implement the driver API on top of sim_memory.cpp (device memory),
// sim_module.cpp (kernel libraries), sim_exec.cpp (blocks as fibers) and sim_check.cpp (the access checks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cuda_sim_entry.h"

extern "C" {
struct lopt4j_sim_builtins;
}

// What libcuda.so.1 exports (it is built with -fvisibility=hidden): the driver API, and the calls and hooks of cuda_sim.h.
#define SIM_EXPORT extern "C" __attribute__((visibility("default")))

namespace sim {

// ------------------------------------------------------------------------------------------------ CUDA's codes
using CUresult = int;
enum : CUresult {
    OK = 0, E_INVALID_VALUE = 1, E_OUT_OF_MEMORY = 2, E_NOT_INITIALIZED = 3, E_NO_DEVICE = 100,
    E_INVALID_DEVICE = 101, E_INVALID_IMAGE = 200, E_INVALID_CONTEXT = 201, E_INVALID_PTX = 218,
    E_FILE_NOT_FOUND = 301, E_INVALID_HANDLE = 400, E_NOT_FOUND = 500, E_NOT_READY = 600, E_ILLEGAL_ADDRESS = 700,
    E_LAUNCH_OUT_OF_RESOURCES = 701, E_ASSERT = 710, E_MISALIGNED_ADDRESS = 716, E_LAUNCH_FAILED = 719,
    E_NOT_SUPPORTED = 801, E_UNKNOWN = 999
};
const char* error_name(CUresult r);

// ------------------------------------------------------------------------------------------------ the simulated device
constexpr int kMultiprocessors = 132;               // the launch geometry of the GPU machines (H100)
constexpr unsigned long long kTotalMemory = 3ull << 30;
constexpr unsigned kMaxThreads = 1024;
constexpr unsigned kMaxStaticShared = 48 * 1024;
constexpr unsigned kMaxDynamicShared = 227 * 1024;  // with cuFuncSetAttribute, as on sm_90

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// ------------------------------------------------------------------------------------------------ sim_memory.cpp
struct Allocation {
    uintptr_t base;
    size_t size;
    void* owner;     // the context that allocated it
    bool freed;
};
void memory_init();
// A new allocation of `size` bytes filled with the poison byte (0xFF: NaN as float or double, -1 as an integer).
CUresult memory_alloc(void* owner, size_t size, uintptr_t* out);
CUresult memory_free(uintptr_t base);
void memory_free_all(void* owner);
size_t memory_used();
// The live allocation holding [a, a + n), or null; `why` says what is wrong when there is none.
const Allocation* memory_find(uintptr_t a, size_t n, std::string* why);
extern uintptr_t g_arena_lo, g_arena_len;
// Granule table: allocation id per 64 KiB of the arena (0: never allocated); the id indexes g_allocations.
extern uint32_t* g_granule_owner;
extern std::vector<Allocation> g_allocations;
constexpr int kGranuleShift = 16;

// ------------------------------------------------------------------------------------------------ sim_module.cpp
struct SharedVar {
    uint32_t offset, size;  // within the library's TLS block
    std::string name;       // demangled
};
struct Library {
    std::string path;
    void* handle;
    lopt4j_sim::KernelTable table;
    void* (*tls_touch)();
    uintptr_t image_lo, image_hi;   // its loaded segments
    uintptr_t load_base;
    size_t tls_size;
    std::vector<SharedVar> shared;  // by offset
    std::vector<int32_t> byte_var;  // per byte of the TLS block: index into shared, or -1 (padding, anchor)
    std::vector<uint8_t> word_whole; // per 4-byte word: 1 when all its bytes belong to one variable
    struct Function { uintptr_t lo, hi; std::string name; };
    std::vector<Function> functions;
    const lopt4j_sim::KernelEntry* find(const char* name) const;
};
// Loads every kernel library beside libcuda.so.1 (../kernels/*.so); empty string or the reason it failed.
std::string libraries_load();
const std::vector<Library*>& libraries();
// The library that defines every `.entry` named in a PTX image, or null and the reason.
const Library* library_for_image(const char* image, std::string* why);
std::string describe_pc(uintptr_t pc);
uintptr_t runtime_image_lo();
uintptr_t runtime_image_hi();

// ------------------------------------------------------------------------------------------------ sim_exec.cpp
struct Launch {
    const lopt4j_sim::KernelEntry* entry;
    const Library* library;
    void* context;
    unsigned grid[3], block[3];
    unsigned dynamic_shared;
    std::vector<unsigned char> args;  // the packed parameter block (over-aligned by offset args_at)
    size_t args_at;
    uint64_t number;                  // launches so far in this process, for reproducing a failure
};
struct Fault {
    CUresult code = OK;
    std::string message;
};
// Runs every block of the launch; a failed check ends the launch with a Fault.
Fault execute(const Launch& l);
uint64_t seed();
// The schedule of the k-th launch after this call depends on the seed and k only.
void set_seed(uint64_t s, uint64_t launches_so_far);

// ------------------------------------------------------------------------------------------------ sim_check.cpp
// What the access hooks compare addresses with; set by sim_exec.cpp for the block in flight.
struct Ranges {
    uintptr_t stack_lo, stack_len;    // the running fiber's stack
    uintptr_t shared_lo, shared_len;  // this host thread's copy of the library's static __shared__ variables
    uintptr_t dyn_lo, dyn_len;        // the buffer for dynamic shared memory (its largest size)
    size_t dyn_size;                  // the bytes of it this launch asked for
    uintptr_t image_lo, image_len;    // the kernel library's own segments (constants)
    uintptr_t rt_lo, rt_len;          // the runtime's segments (the builtin variables)
    bool active;                      // inside a kernel body
};
extern Ranges g_ranges;
// Starts a block: shared memory is poisoned and unwritten; `context` owns the memory the kernel may touch.
void check_block_start(const Library* lib, void* context, uint64_t interval);
void check_interval(uint64_t interval);

// ------------------------------------------------------------------------------------------------ fault reporting
// Called on a fiber: records the fault against the running CUDA thread and leaves the block for good.
[[noreturn]] void fail(CUresult code, const std::string& what);
// The same for a faulting memory access; `pc` (in a kernel library) is resolved to a function and source line.
[[noreturn]] void fail_at(CUresult code, const std::string& what, uintptr_t pc);
// Called by the checks: a random preemption point (the interleaving between barriers).
void maybe_preempt();
void preempt_one_in(unsigned n);
int current_thread_linear();
// The running thread (linear index in its block) and its warp's __syncwarp count, kept current by the scheduler.
extern int g_tid;
extern const uint32_t* g_warp_syncs;
uint32_t current_warp_syncs(int warp);
std::string thread_name(int linear);

}  // namespace sim
