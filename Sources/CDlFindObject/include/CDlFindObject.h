// glibc 2.35's _dl_find_object, defined by this target for the dynamic bridge (see dl_find_object.c).
#pragma once

struct dl_find_object;

/// Fills `result` (a glibc `struct dl_find_object`) for the loaded object whose mapping contains `pc`: 0 when
/// found, -1 when `pc` lies in no loaded object. Same contract as glibc's.
int _dl_find_object(void *pc, struct dl_find_object *result);
