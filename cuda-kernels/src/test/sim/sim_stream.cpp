// sim_stream.cpp: device memory, streams and events of the driver API (see sim_api.h for when queued work runs).
// Copies and memsets check that their whole range lies in one live allocation of the calling context.
#include <time.h>

#include <algorithm>
#include <cstring>

#include "sim_api.h"

namespace sim {

namespace {
double now_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void run(Ctx* ctx, Op& op) {
    if (op.kind == Op::WAIT) {
        drain(op.wait_stream, op.wait_seq);
        return;
    }
    if (op.kind == Op::RECORD) {
        if (op.event->generation == op.generation) {
            op.event->done = true;
            op.event->ms = now_ms();
        }
        return;
    }
    if (ctx->sticky != OK) return;  // after a failed launch nothing else runs in this context
    switch (op.kind) {
        case Op::LAUNCH: {
            Fault f = execute(*op.launch);
            if (f.code != OK) ctx->sticky = report(f.code, f.message);
            break;
        }
        case Op::MEMSET:
            if (op.element == 4) std::fill_n((uint32_t*)op.dst, op.count, op.value);
            else if (op.element == 2) std::fill_n((uint16_t*)op.dst, op.count, (uint16_t)op.value);
            else memset((void*)op.dst, (int)op.value, op.count);
            break;
        case Op::COPY:
            memmove((void*)op.dst, op.staged.empty() ? (const void*)op.src : op.staged.data(), op.count);
            break;
        default: break;
    }
}

// The allocation of `ctx` holding [p, p + n), or an error report naming what is wrong.
CUresult check_range(Ctx* ctx, uintptr_t p, size_t n, const char* call) {
    std::string why;
    const Allocation* a = memory_find(p, n == 0 ? 1 : n, &why);
    if (!a) return report(E_INVALID_VALUE, std::string(call) + ": " + why);
    if (a->owner != ctx) return report(E_INVALID_VALUE, std::string(call) + ": the memory belongs to another context");
    return OK;
}

// Everything a synchronous call on the legacy default stream waits for: the legacy stream and all blocking streams.
void drain_for_legacy(Ctx* c) {
    drain(c->legacy, UINT64_MAX);
    for (Stream* s : c->streams) {
        if (!(s->flags & 1)) drain(s, UINT64_MAX);
    }
}

CUresult memset_any(uintptr_t dst, unsigned value, unsigned element, size_t n, void* stream, bool async, const char* call) {
    std::lock_guard<std::mutex> lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    if ((r = check_range(c, dst, n * element, call)) != OK) return r;
    if (dst % element) return report(E_INVALID_VALUE, std::string(call) + ": misaligned destination");
    Op op{Op::MEMSET};
    op.dst = dst;
    op.count = n;
    op.value = value;
    op.element = element;
    Stream* s = stream_of(c, stream);
    if (!s) return E_INVALID_HANDLE;
    if (!async) drain_for_legacy(c);
    enqueue(s, std::move(op));
    if (!async) drain(s, UINT64_MAX);
    return c->sticky;
}

// kind: 0 host to device, 1 device to host, 2 device to device.
CUresult copy_any(uintptr_t dst, uintptr_t src, size_t n, int kind, void* stream, bool async, const char* call) {
    std::lock_guard<std::mutex> lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    if (kind != 0 && (r = check_range(c, src, n, call)) != OK) return r;
    if (kind != 1 && (r = check_range(c, dst, n, call)) != OK) return r;
    Stream* s = stream_of(c, stream);
    if (!s) return E_INVALID_HANDLE;
    Op op{Op::COPY};
    op.dst = dst;
    op.src = src;
    op.count = n;
    if (!async) {
        drain_for_legacy(c);
    } else if (kind == 0) {
        op.staged.assign((const unsigned char*)src, (const unsigned char*)src + n);  // pageable source: staged now
    }
    enqueue(s, std::move(op));
    if (!async || kind == 1) drain(s, UINT64_MAX);  // a copy into pageable host memory returns when it is done
    return c->sticky;
}
}  // namespace

Stream* stream_of(Ctx* ctx, void* handle) {
    if (handle == nullptr || handle == (void*)1) return ctx->legacy;
    if (!live(handle)) return nullptr;
    Stream* s = (Stream*)handle;
    return s->ctx == ctx ? s : nullptr;
}

void enqueue(Stream* s, Op op) {
    op.seq = ++g_seq;
    s->queue.push_back(std::move(op));
}

void drain(Stream* s, uint64_t upto) {
    while (!s->queue.empty() && s->queue.front().seq <= upto) {
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        if (s->legacy) {
            for (Stream* b : s->ctx->streams) {
                if (!(b->flags & 1)) drain(b, op.seq - 1);
            }
        } else if (!(s->flags & 1)) {
            drain(s->ctx->legacy, op.seq - 1);
        }
        run(s->ctx, op);
    }
}

void drain_all(Ctx* ctx) {
    drain(ctx->legacy, UINT64_MAX);
    for (Stream* s : ctx->streams) drain(s, UINT64_MAX);
}

void destroy_stream(Stream* s) {
    drain(s, UINT64_MAX);
    auto& v = s->ctx->streams;
    for (size_t i = 0; i < v.size(); i++) {
        if (v[i] == s) v.erase(v.begin() + (long)i);
    }
    g_handles.erase(s);
    delete s;
}

}  // namespace sim

using namespace sim;
using Lock = std::lock_guard<std::mutex>;

SIM_EXPORT CUresult cuMemAlloc_v2(uintptr_t* p, size_t bytes) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    if (!p) return E_INVALID_VALUE;
    return memory_alloc(c, bytes, p);
}

SIM_EXPORT CUresult cuMemFree_v2(uintptr_t p) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    drain_all(c);  // cuMemFree waits for the work that may still use the memory
    if (c->sticky != OK) return c->sticky;
    std::string why;
    const Allocation* a = memory_find(p, 1, &why);
    if (!a || a->base != p || a->owner != c) return report(E_INVALID_VALUE, format("cuMemFree(0x%lx): not an allocation of this context%s", (unsigned long)p, a ? "" : (": " + why).c_str()));
    return memory_free(p);
}

SIM_EXPORT CUresult cuMemGetInfo_v2(size_t* free_bytes, size_t* total) {
    Lock lock(g_api);
    CUresult r;
    if (!context_for_call(&r)) return r;
    if (!free_bytes || !total) return E_INVALID_VALUE;
    *total = kTotalMemory;
    *free_bytes = kTotalMemory - memory_used();
    return OK;
}

SIM_EXPORT CUresult cuMemGetAddressRange_v2(uintptr_t* base, size_t* size, uintptr_t p) {
    Lock lock(g_api);
    CUresult r;
    if (!context_for_call(&r)) return r;
    const Allocation* a = memory_find(p, 1, nullptr);
    if (!a) return E_NOT_FOUND;
    if (base) *base = a->base;
    if (size) *size = a->size;
    return OK;
}

SIM_EXPORT CUresult cuMemcpyHtoD_v2(uintptr_t d, const void* h, size_t n) { return copy_any(d, (uintptr_t)h, n, 0, nullptr, false, "cuMemcpyHtoD"); }
SIM_EXPORT CUresult cuMemcpyDtoH_v2(void* h, uintptr_t d, size_t n) { return copy_any((uintptr_t)h, d, n, 1, nullptr, false, "cuMemcpyDtoH"); }
SIM_EXPORT CUresult cuMemcpyDtoD_v2(uintptr_t d, uintptr_t s, size_t n) { return copy_any(d, s, n, 2, nullptr, false, "cuMemcpyDtoD"); }
SIM_EXPORT CUresult cuMemcpyHtoDAsync_v2(uintptr_t d, const void* h, size_t n, void* st) { return copy_any(d, (uintptr_t)h, n, 0, st, true, "cuMemcpyHtoDAsync"); }
SIM_EXPORT CUresult cuMemcpyDtoHAsync_v2(void* h, uintptr_t d, size_t n, void* st) { return copy_any((uintptr_t)h, d, n, 1, st, true, "cuMemcpyDtoHAsync"); }
SIM_EXPORT CUresult cuMemcpyDtoDAsync_v2(uintptr_t d, uintptr_t s, size_t n, void* st) { return copy_any(d, s, n, 2, st, true, "cuMemcpyDtoDAsync"); }
SIM_EXPORT CUresult cuMemsetD8_v2(uintptr_t d, unsigned char v, size_t n) { return memset_any(d, v, 1, n, nullptr, false, "cuMemsetD8"); }
SIM_EXPORT CUresult cuMemsetD16_v2(uintptr_t d, unsigned short v, size_t n) { return memset_any(d, v, 2, n, nullptr, false, "cuMemsetD16"); }
SIM_EXPORT CUresult cuMemsetD32_v2(uintptr_t d, unsigned int v, size_t n) { return memset_any(d, v, 4, n, nullptr, false, "cuMemsetD32"); }
SIM_EXPORT CUresult cuMemsetD8Async(uintptr_t d, unsigned char v, size_t n, void* st) { return memset_any(d, v, 1, n, st, true, "cuMemsetD8Async"); }
SIM_EXPORT CUresult cuMemsetD16Async(uintptr_t d, unsigned short v, size_t n, void* st) { return memset_any(d, v, 2, n, st, true, "cuMemsetD16Async"); }
SIM_EXPORT CUresult cuMemsetD32Async(uintptr_t d, unsigned int v, size_t n, void* st) { return memset_any(d, v, 4, n, st, true, "cuMemsetD32Async"); }

SIM_EXPORT CUresult cuStreamCreate(void** stream, unsigned int flags) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    if (!stream || flags > 1) return E_INVALID_VALUE;
    Stream* s = new Stream{c, flags, false, {}};
    c->streams.push_back(s);
    g_handles.insert(s);
    *stream = s;
    return OK;
}

SIM_EXPORT CUresult cuStreamCreateWithPriority(void** stream, unsigned int flags, int) { return cuStreamCreate(stream, flags); }

SIM_EXPORT CUresult cuStreamDestroy_v2(void* stream) {
    Lock lock(g_api);
    if (!live(stream)) return E_INVALID_HANDLE;
    destroy_stream((Stream*)stream);
    return OK;
}

SIM_EXPORT CUresult cuStreamGetFlags(void* stream, unsigned int* flags) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    Stream* s = stream_of(c, stream);
    if (!s || !flags) return s ? E_INVALID_VALUE : E_INVALID_HANDLE;
    *flags = s->flags;
    return OK;
}

SIM_EXPORT CUresult cuStreamSynchronize(void* stream) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    Stream* s = stream_of(c, stream);
    if (!s) return E_INVALID_HANDLE;
    drain(s, UINT64_MAX);
    return c->sticky;
}

// A query waits like a synchronize: a host loop polling for completion would otherwise never see it.
SIM_EXPORT CUresult cuStreamQuery(void* stream) { return cuStreamSynchronize(stream); }

SIM_EXPORT CUresult cuStreamWaitEvent(void* stream, void* event, unsigned int) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    Stream* s = stream_of(c, stream);
    if (!s || !live(event)) return E_INVALID_HANDLE;
    Event* e = (Event*)event;
    if (!e->recorded) return OK;  // waiting for an event never recorded is a no-op
    Op op{Op::WAIT};
    op.wait_stream = e->stream;
    op.wait_seq = e->seq;
    enqueue(s, std::move(op));
    return OK;
}

SIM_EXPORT CUresult cuEventCreate(void** event, unsigned int flags) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    if (!event) return E_INVALID_VALUE;
    Event* e = new Event{c, flags};
    c->events.push_back(e);
    g_handles.insert(e);
    *event = e;
    return OK;
}

SIM_EXPORT CUresult cuEventDestroy_v2(void* event) {
    Lock lock(g_api);
    if (!live(event)) return E_INVALID_HANDLE;
    Event* e = (Event*)event;
    drain_all(e->ctx);  // queued records still point at it
    auto& v = e->ctx->events;
    for (size_t i = 0; i < v.size(); i++) {
        if (v[i] == e) v.erase(v.begin() + (long)i);
    }
    g_handles.erase(e);
    delete e;
    return OK;
}

SIM_EXPORT CUresult cuEventRecord(void* event, void* stream) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    Stream* s = stream_of(c, stream);
    if (!s || !live(event) || ((Event*)event)->ctx != c) return E_INVALID_HANDLE;
    Event* e = (Event*)event;
    Op op{Op::RECORD};
    op.event = e;
    op.generation = ++e->generation;
    enqueue(s, std::move(op));
    e->recorded = true;
    e->done = false;
    e->stream = s;
    e->seq = g_seq;
    return OK;
}

SIM_EXPORT CUresult cuEventRecordWithFlags(void* event, void* stream, unsigned int) { return cuEventRecord(event, stream); }

SIM_EXPORT CUresult cuEventSynchronize(void* event) {
    Lock lock(g_api);
    CUresult r;
    Ctx* c = context_for_call(&r);
    if (!c) return r;
    if (!live(event)) return E_INVALID_HANDLE;
    Event* e = (Event*)event;
    if (e->recorded) drain(e->stream, e->seq);
    return c->sticky;
}

SIM_EXPORT CUresult cuEventQuery(void* event) { return cuEventSynchronize(event); }

SIM_EXPORT CUresult cuEventElapsedTime(float* ms, void* start, void* end) {
    Lock lock(g_api);
    CUresult r;
    if (!context_for_call(&r)) return r;
    if (!ms) return E_INVALID_VALUE;
    if (!live(start) || !live(end)) return E_INVALID_HANDLE;
    Event* a = (Event*)start;
    Event* b = (Event*)end;
    if ((a->flags | b->flags) & 2) return E_INVALID_HANDLE;  // CU_EVENT_DISABLE_TIMING
    if (!a->recorded || !b->recorded) return E_INVALID_HANDLE;
    if (!a->done || !b->done) return E_NOT_READY;
    *ms = (float)(b->ms - a->ms);  // host time of the simulation, not GPU time
    return OK;
}
