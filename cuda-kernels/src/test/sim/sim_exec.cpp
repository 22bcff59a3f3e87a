// sim_exec.cpp: runs a launch. Blocks run one after another, in a seeded random order; the threads of a block are
// fibers (one stack each) on the calling host thread, and a seeded random scheduler picks which runnable thread goes
// next, at the start, after every barrier and at random preemption points inside memory accesses, so the interleaving
// between barriers differs from thread order yet reproduces from the seed. __syncthreads waits until every thread of
// the block waits at the same barrier; a thread that exits first, or waits at another barrier, is an error. Warp
// collectives (shuffles, votes, __syncwarp) meet when every lane of their mask has arrived at the same call.
#include <dlfcn.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>

#include "sim.h"

extern "C" {
__attribute__((visibility("default"))) const lopt4j_sim_builtins* lopt4j_sim_self = nullptr;
void lopt4j_sim_switch(void** save, void* load);
void lopt4j_sim_fiber_start();
}

// Saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores the stack pointer in
// *save, and resumes the context whose stack pointer is `load` (x86-64 System V).
asm(R"(
    .text
    .p2align 4
    .globl lopt4j_sim_switch
    .hidden lopt4j_sim_switch
    .type lopt4j_sim_switch, @function
lopt4j_sim_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size lopt4j_sim_switch, .-lopt4j_sim_switch

    .p2align 4
    .globl lopt4j_sim_fiber_start
    .hidden lopt4j_sim_fiber_start
    .type lopt4j_sim_fiber_start, @function
lopt4j_sim_fiber_start:
    movq %r13, %rdi
    callq *%r12
    ud2
    .size lopt4j_sim_fiber_start, .-lopt4j_sim_fiber_start
)");

namespace sim {

namespace {
constexpr size_t kStack = 256 * 1024;
constexpr size_t kGuard = 4096;
constexpr uint64_t kMeanPreempt = 64;  // checked memory accesses between random preemptions, on average

enum State : uint8_t { RUNNABLE, AT_BARRIER, AT_WARP, EXITED };

struct Thread {
    lopt4j_sim_builtins b;
    void* sp;
    State state;
    const char* file;  // where it waits
    int line, kind, pred;
    unsigned long long value, result;
    int operand;
};

// A warp collective some lanes have reached.
struct Pending {
    int op, c, line;
    unsigned mask, arrived;
    const char* file;
};

struct Warp {
    unsigned exists, exited;
    uint32_t syncs;
    Pending pending[32];
    int npending;
};

Thread g_threads[kMaxThreads];  // in the runtime's image: the builtins the kernels read are checked as runtime data
char* g_stacks = nullptr;

struct Block {
    const Launch* launch;
    unsigned n, nwarps, nexited;
    Thread* cur;
    uint16_t runnable[kMaxThreads];
    unsigned nrunnable;
    Warp warps[kMaxThreads / 32];
    uint64_t rng, countdown, interval;
    void* sched_sp;
    uint64_t block_lin;
    bool failed;
    CUresult code;
    std::string what;
    uintptr_t pc;
    int fault_thread;
} B;

uint64_t g_seed = 1;
uint64_t g_seed_base = 0;  // launches before the seed was set: the k-th launch after seeding gets schedule k
uint64_t g_interval = 0;
std::vector<unsigned char> g_dynamic;

uint64_t splitmix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}
uint64_t next_random() {
    B.rng ^= B.rng >> 12;
    B.rng ^= B.rng << 25;
    B.rng ^= B.rng >> 27;
    return B.rng * 0x2545F4914F6CDD1Dull;
}

char* stack_of(unsigned t) { return g_stacks + (size_t)t * (kStack + kGuard) + kGuard; }

void push_runnable(Thread* t) {
    t->state = RUNNABLE;
    B.runnable[B.nrunnable++] = (uint16_t)(t - g_threads);
}

void resume(Thread* t) {
    B.cur = t;
    g_tid = (int)(t - g_threads);
    g_warp_syncs = &B.warps[g_tid / 32].syncs;
    lopt4j_sim_self = &t->b;
    g_ranges.stack_lo = (uintptr_t)stack_of((unsigned)(t - g_threads));
    g_ranges.stack_len = kStack;
    g_ranges.active = true;
    lopt4j_sim_switch(&B.sched_sp, t->sp);
    g_ranges.active = false;
}

void yield() { lopt4j_sim_switch(&B.cur->sp, B.sched_sp); }

void fiber_main(Thread* t);

void start_frame(Thread* t) {
    uintptr_t* sp = (uintptr_t*)(stack_of((unsigned)(t - g_threads)) + kStack);
    *--sp = (uintptr_t)&lopt4j_sim_fiber_start;  // return address of the first switch
    *--sp = 0;                                    // rbp
    *--sp = 0;                                    // rbx
    *--sp = (uintptr_t)&fiber_main;               // r12
    *--sp = (uintptr_t)t;                         // r13
    *--sp = 0;                                    // r14
    *--sp = 0;                                    // r15
    *--sp = 0x0000037F00001F80ull;                // MXCSR 0x1F80 (round to nearest, no FTZ), x87 control word 0x37F
    t->sp = sp;
}

bool same_site(const char* f1, int l1, const char* f2, int l2) {
    return l1 == l2 && (f1 == f2 || strcmp(f1, f2) == 0);
}

// Block-level fault found by the scheduler (not on a fiber).
void fail_block(CUresult code, const std::string& what) {
    B.failed = true;
    B.code = code;
    B.what = what;
    B.fault_thread = -1;
}

const char* warp_op_name(int op) {
    static const char* names[] = {"__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync",
                                  "__all_sync", "__any_sync", "__ballot_sync", "__syncwarp"};
    return op >= 0 && op < 8 ? names[op] : "a warp collective";
}

// Every runnable thread is waiting: release a barrier all live threads wait at, or report why none can go on.
bool resolve() {
    if (B.nexited == B.n) return false;
    Thread* first = nullptr;
    int at_warp = -1, exited = -1;
    for (unsigned i = 0; i < B.n; i++) {
        Thread& t = g_threads[i];
        if (t.state == AT_WARP && at_warp < 0) at_warp = (int)i;
        if (t.state == EXITED && exited < 0) exited = (int)i;
        if (t.state == AT_BARRIER && !first) first = &t;
    }
    if (at_warp >= 0) {
        Thread& w = g_threads[at_warp];
        fail_block(E_LAUNCH_FAILED, format("deadlock: %s waits at %s (%s:%d) for lanes that never arrive%s",
                                           thread_name(at_warp).c_str(), warp_op_name(w.kind), w.file, w.line,
                                           first ? format(" (%s waits at __syncthreads, %s:%d)", thread_name((int)(first - g_threads)).c_str(), first->file, first->line).c_str() : ""));
        return false;
    }
    if (exited >= 0) {
        fail_block(E_LAUNCH_FAILED, format("__syncthreads (%s:%d) is not reached by every thread of the block: %u of %u "
                                           "threads wait there, %s exited without reaching it",
                                           first->file, first->line, B.n - B.nexited, B.n, thread_name(exited).c_str()));
        return false;
    }
    int count = 0;
    for (unsigned i = 0; i < B.n; i++) {
        Thread& t = g_threads[i];
        if (!same_site(t.file, t.line, first->file, first->line) || t.kind != first->kind) {
            fail_block(E_LAUNCH_FAILED, format("threads of the block wait at different barriers: %s at %s:%d, %s at %s:%d",
                                               thread_name((int)(first - g_threads)).c_str(), first->file, first->line,
                                               thread_name((int)i).c_str(), t.file, t.line));
            return false;
        }
        count += t.pred;
    }
    unsigned long long r = first->kind == LOPT4J_SIM_SYNC_COUNT ? (unsigned long long)count
                         : first->kind == LOPT4J_SIM_SYNC_AND   ? (unsigned long long)(count == (int)B.n)
                                                                 : (unsigned long long)(count > 0);
    check_interval(++g_interval);
    for (unsigned i = 0; i < B.n; i++) {
        g_threads[i].result = r;
        push_runnable(&g_threads[i]);
    }
    return true;
}

void fiber_main(Thread* t) {
    const Launch& l = *B.launch;
    l.entry->call(l.entry->fn, l.args.data() + l.args_at);
    t->state = EXITED;
    B.nexited++;
    const int linear = (int)(t - g_threads), lane = linear % 32;
    Warp& w = B.warps[linear / 32];
    w.exited |= 1u << lane;
    for (int p = 0; p < w.npending; p++) {
        if (w.pending[p].mask >> lane & 1) {
            fail(E_LAUNCH_FAILED, format("exits while other lanes of its warp wait for it at %s (%s:%d)",
                                         warp_op_name(w.pending[p].op), w.pending[p].file, w.pending[p].line));
        }
    }
    yield();
    abort();  // an exited thread is never resumed
}

bool run_block(uint64_t lin) {
    const Launch& l = *B.launch;
    const uint64_t gx = l.grid[0], gxy = gx * l.grid[1];
    const unsigned bx = (unsigned)(lin % gx), by = (unsigned)(lin / gx % l.grid[1]), bz = (unsigned)(lin / gxy);
    B.block_lin = lin;
    B.rng = splitmix(g_seed ^ splitmix((l.number - g_seed_base) * 0x100000001B3ull ^ lin)) | 1;
    B.countdown = 1 + next_random() % (2 * kMeanPreempt);
    B.nexited = 0;
    B.nrunnable = 0;
    for (unsigned i = 0; i < B.n; i++) {
        Thread& t = g_threads[i];
        t.b.threadIdx = {i % l.block[0], i / l.block[0] % l.block[1], i / (l.block[0] * l.block[1])};
        t.b.blockIdx = {bx, by, bz};
        t.b.blockDim = dim3(l.block[0], l.block[1], l.block[2]);
        t.b.gridDim = dim3(l.grid[0], l.grid[1], l.grid[2]);
        start_frame(&t);
        push_runnable(&t);
    }
    for (unsigned w = 0; w < B.nwarps; w++) {
        unsigned lanes = B.n - w * 32 >= 32 ? 32 : B.n - w * 32;
        B.warps[w].exists = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1;
        B.warps[w].exited = 0;
        B.warps[w].syncs = 0;
        B.warps[w].npending = 0;
    }
    memset(g_dynamic.data(), 0xFF, l.dynamic_shared);
    check_block_start(l.library, l.context, ++g_interval);
    while (!B.failed) {
        if (B.nrunnable == 0) {
            if (!resolve()) break;
            continue;
        }
        unsigned j = (unsigned)(next_random() % B.nrunnable);
        Thread* t = &g_threads[B.runnable[j]];
        B.runnable[j] = B.runnable[--B.nrunnable];
        resume(t);
        if (t->state == RUNNABLE && !B.failed) B.runnable[B.nrunnable++] = (uint16_t)(t - g_threads);
    }
    return !B.failed;
}

// Blocks in the order start, start + stride, ... (mod n) with a stride coprime to n: every block once, seeded order.
uint64_t gcd(uint64_t a, uint64_t b) { return b == 0 ? a : gcd(b, a % b); }
}  // namespace

int g_tid = 0;
const uint32_t* g_warp_syncs = nullptr;

uint64_t seed() { return g_seed; }
void set_seed(uint64_t s, uint64_t launches_so_far) {
    g_seed = s;
    g_seed_base = launches_so_far;
}

std::string thread_name(int linear) {
    const Thread& t = g_threads[linear];
    return format("thread (%u,%u,%u)", t.b.threadIdx.x, t.b.threadIdx.y, t.b.threadIdx.z);
}
int current_thread_linear() { return (int)(B.cur - g_threads); }
uint32_t current_warp_syncs(int warp) { return B.warps[warp].syncs; }

void maybe_preempt() {
    if (__builtin_expect(--B.countdown != 0, 1)) return;
    B.countdown = 1 + next_random() % (2 * kMeanPreempt);
    yield();
}

void preempt_one_in(unsigned n) {
    if (next_random() % n == 0) yield();
}

void fail(CUresult code, const std::string& what) { fail_at(code, what, 0); }

Fault execute(const Launch& l) {
    Fault f;
    if (!g_stacks) {
        size_t bytes = (size_t)kMaxThreads * (kStack + kGuard);
        void* s = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (s == MAP_FAILED) return Fault{E_LAUNCH_OUT_OF_RESOURCES, "cannot map the fiber stacks"};
        g_stacks = (char*)s;
        for (unsigned t = 0; t < kMaxThreads; t++) mprotect(g_stacks + (size_t)t * (kStack + kGuard), kGuard, PROT_NONE);
    }
    B.launch = &l;
    B.n = l.block[0] * l.block[1] * l.block[2];
    B.nwarps = (B.n + 31) / 32;
    B.failed = false;
    if (g_dynamic.empty()) g_dynamic.assign(kMaxDynamicShared, 0xFF);
    g_ranges.dyn_lo = (uintptr_t)g_dynamic.data();
    g_ranges.dyn_len = g_dynamic.size();
    g_ranges.dyn_size = l.dynamic_shared;
    const unsigned __int128 n = (unsigned __int128)l.grid[0] * l.grid[1] * l.grid[2];
    const uint64_t blocks = (uint64_t)n;
    B.rng = splitmix(g_seed ^ splitmix(~(l.number - g_seed_base))) | 1;
    uint64_t start = next_random() % blocks, stride = 1 + next_random() % blocks;
    while (gcd(stride, blocks) != 1) stride = 1 + next_random() % blocks;
    for (uint64_t k = 0; k < blocks; k++) {
        const uint64_t lin = (uint64_t)((start + (unsigned __int128)k * stride) % blocks);
        if (!run_block(lin)) break;
    }
    lopt4j_sim_self = nullptr;
    if (!B.failed) return f;
    const uint64_t gx = l.grid[0], gxy = gx * l.grid[1];
    const unsigned bx = (unsigned)(B.block_lin % gx), by = (unsigned)(B.block_lin / gx % l.grid[1]);
    const unsigned bz = (unsigned)(B.block_lin / gxy);
    f.code = B.code;
    f.message = format("kernel %s (launch #%llu, seed %llu), block (%u,%u,%u)", l.entry->name,
                       (unsigned long long)l.number, (unsigned long long)g_seed, bx, by, bz);
    if (B.fault_thread >= 0) f.message += ", " + thread_name(B.fault_thread);
    f.message += ": " + B.what;
    if (B.pc) f.message += " " + describe_pc(B.pc);
    return f;
}

void fail_at(CUresult code, const std::string& what, uintptr_t pc) {
    B.failed = true;
    B.code = code;
    B.what = what;
    B.fault_thread = current_thread_linear();
    B.pc = pc;
    yield();
    abort();  // a failed block is never resumed
}

}  // namespace sim

// ------------------------------------------------------------------------------------------------ the kernels' calls
using namespace sim;

SIM_EXPORT int lopt4j_sim_barrier(const char* file, int line, int kind, int predicate) {
    Thread* t = B.cur;
    t->state = AT_BARRIER;
    t->file = file;
    t->line = line;
    t->kind = kind;
    t->pred = predicate;
    yield();
    return (int)t->result;
}

SIM_EXPORT unsigned long long lopt4j_sim_warp(const char* file, int line, int op, unsigned int mask,
                                              unsigned long long value, int b, int c) {
    Thread* t = B.cur;
    const int linear = (int)(t - g_threads), lane = linear % 32, base = linear - lane;
    Warp& w = B.warps[linear / 32];
    const char* name = warp_op_name(op);
    if (!(mask >> lane & 1)) fail(E_LAUNCH_FAILED, format("calls %s (%s:%d) with mask 0x%08x, which leaves out its own lane %d", name, file, line, mask, lane));
    if (mask & ~w.exists) fail(E_LAUNCH_FAILED, format("calls %s (%s:%d) with mask 0x%08x, which names lanes the block does not have (%u threads)", name, file, line, mask, B.n));
    if (mask & w.exited) fail(E_LAUNCH_FAILED, format("calls %s (%s:%d) with mask 0x%08x, which names lanes that have exited (0x%08x)", name, file, line, mask, mask & w.exited));
    const int seg = (c >> 8) & 0x1f;
    if (op <= LOPT4J_SIM_SHFL_BFLY && (((32 - seg) & (31 - seg)) != 0 || (seg & 0x1f) != seg)) {
        fail(E_LAUNCH_FAILED, format("calls %s (%s:%d) with width %d, which is not a power of two up to 32", name, file, line, 32 - seg));
    }
    Pending* p = nullptr;
    for (int i = 0; i < w.npending; i++) {
        Pending& q = w.pending[i];
        if (!(q.mask & mask)) continue;
        if (q.mask != mask || q.op != op || q.c != c || !same_site(q.file, q.line, file, line)) {
            fail(E_LAUNCH_FAILED, format("lanes of one warp meet at different warp collectives: %s (%s:%d, mask 0x%08x) "
                                         "and %s (%s:%d, mask 0x%08x)", warp_op_name(q.op), q.file, q.line, q.mask,
                                         name, file, line, mask));
        }
        p = &q;
    }
    if (!p) {
        p = &w.pending[w.npending++];
        *p = Pending{op, c, line, mask, 0, file};
    }
    t->value = value;
    t->operand = b;
    t->kind = op;
    t->file = file;
    t->line = line;
    p->arrived |= 1u << lane;
    if (p->arrived != mask) {
        t->state = AT_WARP;
        yield();
        return t->result;
    }
    // The last lane computes everyone's result (PTX shfl.sync: c holds the segment mask and the clamp value).
    const int cval = c & 0x1f;
    unsigned long long ballot = 0;
    int all = 1, any = 0;
    for (int k = 0; k < 32; k++) {
        if (!(mask >> k & 1)) continue;
        ballot |= (unsigned long long)(g_threads[base + k].value != 0) << k;
        all &= g_threads[base + k].value != 0;
        any |= g_threads[base + k].value != 0;
    }
    if (op == LOPT4J_SIM_SYNCWARP) w.syncs++;
    for (int k = 0; k < 32; k++) {
        if (!(mask >> k & 1)) continue;
        Thread& u = g_threads[base + k];
        const int maxl = (k & seg) | (cval & ~seg), minl = k & seg, bo = u.operand & 0x1f;
        int j = k;
        bool ok = true;
        switch (op) {
            case LOPT4J_SIM_SHFL_IDX: j = minl | (bo & ~seg); ok = j <= maxl; break;
            case LOPT4J_SIM_SHFL_UP: j = k - bo; ok = j >= maxl; break;
            case LOPT4J_SIM_SHFL_DOWN: j = k + bo; ok = j <= maxl; break;
            case LOPT4J_SIM_SHFL_BFLY: j = k ^ bo; ok = j <= maxl; break;
            default: break;
        }
        if (!ok) j = k;
        if (op <= LOPT4J_SIM_SHFL_BFLY) {
            if (j < 0 || j > 31 || !(mask >> j & 1)) {
                fail(E_LAUNCH_FAILED, format("%s (%s:%d): lane %d reads lane %d, which is not in the mask 0x%08x", name, file, line, k, j, mask));
            }
            u.result = g_threads[base + j].value;
        } else {
            u.result = op == LOPT4J_SIM_VOTE_ALL ? all : op == LOPT4J_SIM_VOTE_ANY ? any : op == LOPT4J_SIM_VOTE_BALLOT ? ballot : 0;
        }
        if (&u != t) push_runnable(&u);
    }
    *p = w.pending[--w.npending];
    return t->result;
}

// The caller's lane only: any subset of the converged lanes that includes the caller is what the hardware may report.
SIM_EXPORT unsigned int lopt4j_sim_activemask(void) { return 1u << (current_thread_linear() % 32); }

SIM_EXPORT void* lopt4j_sim_dynamic_shared(void) { return g_dynamic.data(); }

SIM_EXPORT void lopt4j_sim_trap(const char* file, int line, const char* what) {
    fail(strcmp(what, "__trap()") == 0 ? E_LAUNCH_FAILED : E_ASSERT, format("%s at %s:%d", what, file, line));
}
