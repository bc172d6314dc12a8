// The unwinder's object lookup, so that the dynamic bridge runs on glibc 2.34.
//
// The release bridge links libgcc's unwinder statically (libgcc_eh.a). Built by GCC 12 on glibc >= 2.35, its
// _Unwind_Find_FDE asks glibc's _dl_find_object@GLIBC_2.35 (a function of ld.so) which object holds a PC and
// where that object's PT_GNU_EH_FRAME is; that one reference set the bridge's glibc floor to 2.35 (and made ld.so a
// NEEDED entry), while everything else it uses is at most GLIBC_2.34, the version of RHEL 9 and Amazon Linux 2023.
// Defining the function in the executable resolves the reference at link time, so the floor is 2.34.
//
// The answer is glibc's own, computed as libgcc did before glibc 2.35 (dl_iterate_phdr): the object's mapping
// runs from its first PT_LOAD's page-aligned start to its last byte (glibc's l_map_start/l_map_end), dlfo_eh_frame
// is its PT_GNU_EH_FRAME (NULL without one) and dlfo_link_map its link map (dladdr1). A main program whose
// PT_LOADs leave a page unmapped between them (glibc's l_contiguous == 0) is one mapping per PT_LOAD instead, from
// its first to its last byte, and a PC in a gap belongs to no object (glibc since the fix of bug 31943, also in
// Debian 12's 2.36). Tests/DlFindObjectTests
// checks it against glibc's implementation on every mapping of a running process. Unlike glibc's lock-free table,
// dl_iterate_phdr takes the loader's lock, which is what libgcc did on every unwind before glibc 2.35; nothing in
// the plugins unwinds on a path that matters (Swift errors do not unwind; only a C++ exception inside the runtime
// or a crash backtrace would).
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>

#include "CDlFindObject.h"

#if DLFO_STRUCT_HAS_EH_DBASE || DLFO_STRUCT_HAS_EH_COUNT
#error "this platform's struct dl_find_object has fields that dl_find_object.c does not fill"
#endif

struct lookup {
    uintptr_t pc;
    int found;
    int visited;
    uintptr_t map_start, map_end, eh_frame;
};

// Whether the kernel mapped the main program's PT_LOADs without a page between them (rtld's l_contiguous).
static int contiguous(const struct dl_phdr_info *info, uintptr_t page_mask) {
    uintptr_t expected = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type != PT_LOAD) continue;
        uintptr_t start = (info->dlpi_addr + phdr->p_vaddr) & page_mask;
        if (expected != 0 && expected != start) return 0;
        expected = (info->dlpi_addr + phdr->p_vaddr + phdr->p_memsz + ~page_mask) & page_mask;
    }
    return 1;
}

static int visit(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    struct lookup *lookup = data;
    uintptr_t page_mask = ~((uintptr_t)getauxval(AT_PAGESZ) - 1);
    // dl_iterate_phdr visits the main program first.
    int per_segment = lookup->visited++ == 0 && !contiguous(info, page_mask);
    uintptr_t start = UINTPTR_MAX, end = 0, eh_frame = 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
        if (phdr->p_type == PT_LOAD && per_segment) {
            uintptr_t segment_start = info->dlpi_addr + phdr->p_vaddr;
            if (lookup->pc >= segment_start && lookup->pc < segment_start + phdr->p_memsz) {
                start = segment_start;
                end = segment_start + phdr->p_memsz;
            }
        } else if (phdr->p_type == PT_LOAD) {
            uintptr_t segment_start = (info->dlpi_addr + phdr->p_vaddr) & page_mask;
            uintptr_t segment_end = info->dlpi_addr + phdr->p_vaddr + phdr->p_memsz;
            if (segment_start < start) start = segment_start;
            if (segment_end > end) end = segment_end;
        } else if (phdr->p_type == PT_GNU_EH_FRAME) {
            eh_frame = info->dlpi_addr + phdr->p_vaddr;
        }
    }
    if (lookup->pc < start || lookup->pc >= end) return 0;
    lookup->found = 1;
    lookup->map_start = start;
    lookup->map_end = end;
    lookup->eh_frame = eh_frame;
    return 1;
}

// Hidden: resolves the unwinder's reference inside the executable only; it is not exported, so shared objects (and
// glibc itself) keep binding to ld.so's definition.
__attribute__((visibility("hidden"))) int _dl_find_object(void *pc, struct dl_find_object *result) {
    struct lookup lookup = {.pc = (uintptr_t)pc};
    dl_iterate_phdr(visit, &lookup);
    if (!lookup.found) return -1;
    Dl_info symbol;
    struct link_map *map = NULL;
    if (dladdr1(pc, &symbol, (void **)&map, RTLD_DL_LINKMAP) == 0) map = NULL;
    result->dlfo_flags = 0;
    result->dlfo_map_start = (void *)lookup.map_start;
    result->dlfo_map_end = (void *)lookup.map_end;
    result->dlfo_link_map = map;
    result->dlfo_eh_frame = (void *)lookup.eh_frame;
    return 0;
}
