// sim_api.h: the objects behind the driver API's handles (contexts, modules, functions, streams, events) and the
// work queues of sim_stream.cpp. Work queued on a stream does not run when it is queued: it runs when something
// waits for it (a synchronize, an event wait, a synchronous copy on the legacy default stream, cuMemFree), in stream
// order and with the legacy default stream's implicit ordering, so host code that reads results it never waited for
// sees stale memory here, as it could on a GPU.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <set>

#include "sim.h"

namespace sim {

struct Stream;
struct Event;
struct Module;

struct Ctx {
    bool primary;
    CUresult sticky = OK;  // a launch failed: every later call in this context returns it, as on a GPU
    Stream* legacy = nullptr;
    std::vector<Stream*> streams;
    std::vector<Event*> events;
    std::vector<Module*> modules;
};

struct Function {
    Module* module;
    const lopt4j_sim::KernelEntry* entry;
    unsigned max_dynamic_shared = 48 * 1024;
};

struct Module {
    Ctx* ctx;
    const Library* library;
    std::vector<Function*> functions;
};

struct Op {
    enum Kind { LAUNCH, MEMSET, COPY, RECORD, WAIT } kind;
    explicit Op(Kind k) : kind(k) {}
    uint64_t seq = 0;
    std::unique_ptr<Launch> launch;
    uintptr_t dst = 0, src = 0;
    size_t count = 0;  // memset: elements; copy: bytes
    unsigned value = 0, element = 0;
    std::vector<unsigned char> staged;  // an asynchronous upload's source, copied when it is queued
    Event* event = nullptr;
    uint64_t generation = 0;
    Stream* wait_stream = nullptr;
    uint64_t wait_seq = 0;
};

struct Stream {
    Ctx* ctx;
    unsigned flags;
    bool legacy;
    std::deque<Op> queue;
};

struct Event {
    Ctx* ctx;
    unsigned flags;
    bool recorded = false, done = false;
    Stream* stream = nullptr;
    uint64_t seq = 0, generation = 0;
    double ms = 0;
};

extern std::mutex g_api;
extern bool g_initialized;
extern std::set<void*> g_handles;  // every live context, module, function, stream and event
extern uint64_t g_seq, g_launches;
extern std::string g_last_error;
extern thread_local Ctx* t_current;

// The calling thread's context for a call that needs one: null and *r set when there is none or it has failed.
Ctx* context_for_call(CUresult* r);
bool live(void* handle);
// The stream a handle names in `ctx` (0 and CU_STREAM_LEGACY are the legacy default stream), or null.
Stream* stream_of(Ctx* ctx, void* handle);
CUresult report(CUresult r, const std::string& message);

void enqueue(Stream* s, Op op);
// Runs the queued work of `s` up to sequence number `upto`, with the legacy stream's implicit ordering.
void drain(Stream* s, uint64_t upto);
void drain_all(Ctx* ctx);
void destroy_stream(Stream* s);
void destroy_context_objects(Ctx* ctx);

}  // namespace sim
