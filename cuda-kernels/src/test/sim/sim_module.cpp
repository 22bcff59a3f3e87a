// sim_module.cpp: the kernel libraries build.sh compiled from the .cu sources (../kernels/*.so beside this
// libcuda.so.1). cuModuleLoadData gets PTX text; the simulator reads the `.entry` names in it and picks the library
// that defines all of them, so JCuda and the Java backend load the committed PTX exactly as on a GPU. Each library's
// symbol table gives the offset, size and name of every __shared__ variable (a thread_local in the host build) and
// of every function, for bounds checks and readable reports.
#include <cxxabi.h>
#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "sim.h"

namespace sim {

namespace {
std::vector<Library*> g_libraries;
bool g_loaded = false;
uintptr_t g_rt_lo = 0, g_rt_hi = 0;

std::string demangle(const char* name) {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    std::string r = status == 0 && d ? d : name;
    free(d);
    return r;
}

struct PhdrQuery {
    uintptr_t base;
    uintptr_t lo, hi;
    size_t tls;
    bool found;
};

int phdr_callback(dl_phdr_info* info, size_t, void* data) {
    PhdrQuery* q = (PhdrQuery*)data;
    if (info->dlpi_addr != q->base) return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    size_t tls = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& p = info->dlpi_phdr[i];
        if (p.p_type == PT_LOAD) {
            lo = std::min<uintptr_t>(lo, info->dlpi_addr + p.p_vaddr);
            hi = std::max<uintptr_t>(hi, info->dlpi_addr + p.p_vaddr + p.p_memsz);
        } else if (p.p_type == PT_TLS) {
            tls = p.p_memsz;
        }
    }
    if (hi == 0) return 0;
    q->lo = lo;
    q->hi = hi;
    q->tls = tls;
    q->found = true;
    return 1;
}

// Symbols of the library's .symtab: __shared__ variables (TLS) and functions.
bool read_symbols(Library* lib, std::string* why) {
    std::ifstream in(lib->path, std::ios::binary);
    std::vector<char> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (f.size() < sizeof(Elf64_Ehdr) || memcmp(f.data(), ELFMAG, SELFMAG) != 0) {
        *why = lib->path + " is not an ELF file";
        return false;
    }
    const Elf64_Ehdr* eh = (const Elf64_Ehdr*)f.data();
    const Elf64_Shdr* sh = (const Elf64_Shdr*)(f.data() + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB) continue;
        const Elf64_Sym* syms = (const Elf64_Sym*)(f.data() + sh[i].sh_offset);
        const char* strtab = f.data() + sh[sh[i].sh_link].sh_offset;
        for (size_t k = 0; k < sh[i].sh_size / sizeof(Elf64_Sym); k++) {
            const Elf64_Sym& s = syms[k];
            const char* name = strtab + s.st_name;
            if (ELF64_ST_TYPE(s.st_info) == STT_TLS && s.st_size > 0 && !strstr(name, "lopt4j_sim_tls_anchor") && !strstr(name, "lopt4j_sim_guard_")) {
                lib->shared.push_back(SharedVar{(uint32_t)s.st_value, (uint32_t)s.st_size, demangle(name)});
            } else if (ELF64_ST_TYPE(s.st_info) == STT_FUNC && s.st_size > 0 && s.st_shndx != SHN_UNDEF) {
                lib->functions.push_back({lib->load_base + s.st_value, lib->load_base + s.st_value + s.st_size, demangle(name)});
            }
        }
    }
    std::sort(lib->shared.begin(), lib->shared.end(), [](const SharedVar& a, const SharedVar& b) { return a.offset < b.offset; });
    lib->byte_var.assign(lib->tls_size, -1);
    for (size_t v = 0; v < lib->shared.size(); v++) {
        const SharedVar& s = lib->shared[v];
        if (s.offset + s.size > lib->tls_size) {
            *why = lib->path + ": __shared__ " + s.name + " lies outside the TLS segment";
            return false;
        }
        for (uint32_t b = s.offset; b < s.offset + s.size; b++) lib->byte_var[b] = (int32_t)v;
    }
    lib->word_whole.assign(lib->tls_size / 4, 0);
    for (size_t w = 0; w < lib->word_whole.size(); w++) {
        const int32_t v = lib->byte_var[4 * w];
        lib->word_whole[w] = v >= 0 && lib->byte_var[4 * w + 1] == v && lib->byte_var[4 * w + 2] == v && lib->byte_var[4 * w + 3] == v;
    }
    return true;
}

Library* open_library(const std::string& path, std::string* why) {
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        *why = std::string("cannot load ") + path + ": " + dlerror();
        return nullptr;
    }
    auto table = (lopt4j_sim::KernelTable(*)())dlsym(h, "lopt4j_sim_kernel_table");
    auto touch = (void* (*)())dlsym(h, "lopt4j_sim_tls_touch");
    link_map* lm = nullptr;
    if (!table || !touch || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0) {
        *why = path + " is not a kernel library built by build.sh";
        return nullptr;
    }
    PhdrQuery q{lm->l_addr, 0, 0, 0, false};
    dl_iterate_phdr(phdr_callback, &q);
    if (!q.found) {
        *why = path + ": no program headers found";
        return nullptr;
    }
    Library* lib = new Library{path, h, table(), touch, q.lo, q.hi, lm->l_addr, q.tls, {}, {}, {}, {}};
    if (!read_symbols(lib, why)) return nullptr;
    return lib;
}

// The `.entry` names of a PTX text.
std::vector<std::string> entry_names(const char* image) {
    std::vector<std::string> names;
    for (const char* p = strstr(image, ".entry"); p; p = strstr(p + 6, ".entry")) {
        const char* q = p + 6;
        if (*q != ' ' && *q != '\t') continue;
        while (*q == ' ' || *q == '\t') q++;
        const char* s = q;
        while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '$') q++;
        if (q > s) names.emplace_back(s, q);
    }
    return names;
}
}  // namespace

const lopt4j_sim::KernelEntry* Library::find(const char* name) const {
    for (unsigned i = 0; i < table.count; i++) {
        if (strcmp(table.entries[i].name, name) == 0) return &table.entries[i];
    }
    return nullptr;
}

std::string libraries_load() {
    if (g_loaded) return "";
    Dl_info self;
    if (!dladdr((void*)&libraries_load, &self) || !self.dli_fname) return "cannot locate libcuda.so.1 itself";
    link_map* lm = nullptr;
    void* me = dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    if (me && dlinfo(me, RTLD_DI_LINKMAP, &lm) == 0) {
        PhdrQuery q{lm->l_addr, 0, 0, 0, false};
        dl_iterate_phdr(phdr_callback, &q);
        g_rt_lo = q.lo;
        g_rt_hi = q.hi;
    }
    std::string dir = self.dli_fname;
    dir = dir.substr(0, dir.rfind('/') + 1) + "../kernels";
    DIR* d = opendir(dir.c_str());
    if (!d) return "no kernel libraries: " + dir + " is missing (run cuda-kernels/src/test/sim/build.sh)";
    std::vector<std::string> paths;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.size() > 3 && n.compare(n.size() - 3, 3, ".so") == 0) paths.push_back(dir + "/" + n);
    }
    closedir(d);
    std::sort(paths.begin(), paths.end());
    for (const std::string& p : paths) {
        std::string why;
        Library* lib = open_library(p, &why);
        if (!lib) return why;
        g_libraries.push_back(lib);
    }
    g_loaded = true;
    return "";
}

const std::vector<Library*>& libraries() { return g_libraries; }

uintptr_t runtime_image_lo() { return g_rt_lo; }
uintptr_t runtime_image_hi() { return g_rt_hi; }

const Library* library_for_image(const char* image, std::string* why) {
    std::vector<std::string> names = entry_names(image);
    if (names.empty()) {
        *why = "the module image names no .entry (the simulator loads PTX text only)";
        return nullptr;
    }
    const Library* found = nullptr;
    for (const Library* lib : g_libraries) {
        bool all = true;
        for (const std::string& n : names) all = all && lib->find(n.c_str()) != nullptr;
        if (!all) continue;
        if (found) {
            *why = "entries of the module image are defined by both " + found->path + " and " + lib->path;
            return nullptr;
        }
        found = lib;
    }
    if (!found) {
        std::string list;
        for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
        *why = "no kernel library defines all of " + list + " (rebuild the simulator: cuda-kernels/src/test/sim/build.sh)";
    }
    return found;
}

std::string describe_pc(uintptr_t pc) {
    for (const Library* lib : g_libraries) {
        if (pc < lib->image_lo || pc >= lib->image_hi) continue;
        std::string fn = "?";
        for (const Library::Function& f : lib->functions) {
            if (pc >= f.lo && pc < f.hi) fn = f.name;
        }
        std::string where;
        std::string cmd = format("addr2line -e '%s' -i 0x%lx 2>/dev/null", lib->path.c_str(), (unsigned long)(pc - 1 - lib->load_base));
        if (FILE* p = popen(cmd.c_str(), "r")) {
            char line[512];
            while (fgets(line, sizeof line, p)) {
                line[strcspn(line, "\n")] = 0;
                if (strncmp(line, "??", 2) != 0) where += std::string(where.empty() ? "" : " <- ") + line;
            }
            pclose(p);
        }
        return "in " + fn + (where.empty() ? "" : " at " + where);
    }
    return format("at pc 0x%lx", (unsigned long)pc);
}

}  // namespace sim
