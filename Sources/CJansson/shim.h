#ifndef CNI_JANSSON_SHIM_H
#define CNI_JANSSON_SHIM_H
#include <jansson.h>

/* Function-like macros and flag helpers Swift cannot import directly. */
static inline size_t cni_json_flags_compact(void) { return JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY; }
static inline size_t cni_json_flags_indent(int n) { return JSON_INDENT(n) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY; }
static inline size_t cni_json_flags_decode(void) { return JSON_DECODE_ANY | JSON_ALLOW_NUL; }
#endif
