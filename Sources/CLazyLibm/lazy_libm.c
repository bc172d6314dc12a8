// Lazily bound libm for the dynamically linked `bridge`.
//
// The static Swift standard library references about a hundred libm functions (Float and Double math) that the
// plugins never call. Left to the linker they make libm.so.6 a NEEDED library, and loading it runs its ifunc
// resolvers and constructors at every start, for nothing (A/B in docs/PERFORMANCE.md). Defined here
// instead, each name forwards to the real libm function, which is looked up (dlopen + dlsym) on its first call,
// so libm is only ever loaded if some math is really used. ceil and floor are the exception: Dictionary and Set
// size their tables with them on every run, so they are implemented here (exactly; no libm needed).
// `host-local` and `flannel` are fully static and do not link this target. The list is what the linked stdlib
// needs (`nm -D bridge | grep ' U '`, filtered by libm's exports); a name missing here only brings libm.so.6 back
// as NEEDED (`readelf -d`), it never breaks anything. It also keeps the bridge's glibc floor: linked against libm,
// the stdlib's hypotf binds hypotf@GLIBC_2.35 (scripts/test-release.sh checks the floor, 2.34).
#include <dlfcn.h>
#include <stdlib.h>

static void *libm_handle;

/// The libm function `name`, cached in `*slot`; aborts when libm or the function is missing (it cannot be on a
/// glibc system, and a math function has no way to report the failure).
static void *libm_function(const char *name, void **slot) {
    void *function = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (function) return function;
    void *handle = __atomic_load_n(&libm_handle, __ATOMIC_ACQUIRE);
    if (!handle) {
        handle = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
        if (!handle) abort();
        __atomic_store_n(&libm_handle, handle, __ATOMIC_RELEASE);  // a racing second dlopen only bumps a refcount
    }
    function = dlsym(handle, name);
    if (!function) abort();
    __atomic_store_n(slot, function, __ATOMIC_RELEASE);
    return function;
}

// Exact for every double/float: values that are NaN, infinite or at least 2^52 (2^23) in magnitude are integral
// already; below that, converting to an integer truncates exactly, and copysign keeps -0.0 (ceil(-0.5) == -0.0).
double ceil(double x) {
    if (!(__builtin_fabs(x) < 0x1p52)) return x;
    double t = (double)(long long)x;
    return __builtin_copysign(t < x ? t + 1.0 : t, x);
}

double floor(double x) {
    if (!(__builtin_fabs(x) < 0x1p52)) return x;
    double t = (double)(long long)x;
    return __builtin_copysign(t > x ? t - 1.0 : t, x);
}

float ceilf(float x) {
    if (!(__builtin_fabsf(x) < 0x1p23f)) return x;
    float t = (float)(long long)x;
    return __builtin_copysignf(t < x ? t + 1.0f : t, x);
}

float floorf(float x) {
    if (!(__builtin_fabsf(x) < 0x1p23f)) return x;
    float t = (float)(long long)x;
    return __builtin_copysignf(t > x ? t - 1.0f : t, x);
}

#define FORWARD(R, name, params, args) \
    R name params { \
        static void *slot; \
        return ((R(*) params)libm_function(#name, &slot)) args; \
    }
#define UNARY(T, name) FORWARD(T, name, (T x), (x))
#define BINARY(T, name) FORWARD(T, name, (T x, T y), (x, y))
#define TERNARY(T, name) FORWARD(T, name, (T x, T y, T z), (x, y, z))
#define REMQUO(T, name) FORWARD(T, name, (T x, T y, int *quotient), (x, y, quotient))
#define GAMMA_R(T, name) FORWARD(T, name, (T x, int *sign), (x, sign))
#define NAN_TAG(T, name) FORWARD(T, name, (const char *tag), (tag))
#define BESSEL(name) FORWARD(double, name, (int n, double x), (n, x))

UNARY(float, acosf)
UNARY(float, acoshf)
UNARY(long double, acoshl)
UNARY(long double, acosl)
UNARY(float, asinf)
UNARY(float, asinhf)
UNARY(long double, asinhl)
UNARY(long double, asinl)
BINARY(float, atan2f)
BINARY(long double, atan2l)
UNARY(float, atanf)
UNARY(float, atanhf)
UNARY(long double, atanhl)
UNARY(long double, atanl)
UNARY(float, cbrtf)
UNARY(long double, cbrtl)
UNARY(long double, ceill)
UNARY(double, cos)
UNARY(float, cosf)
UNARY(float, coshf)
UNARY(long double, coshl)
UNARY(long double, cosl)
UNARY(float, erfcf)
UNARY(long double, erfcl)
UNARY(float, erff)
UNARY(long double, erfl)
UNARY(double, exp)
UNARY(double, exp2)
UNARY(float, exp2f)
UNARY(long double, exp2l)
UNARY(float, expf)
UNARY(long double, expl)
UNARY(float, expm1f)
UNARY(long double, expm1l)
BINARY(float, fdimf)
BINARY(long double, fdiml)
UNARY(long double, floorl)
TERNARY(double, fma)
TERNARY(float, fmaf)
TERNARY(long double, fmal)
BINARY(long double, fmaxl)
BINARY(long double, fminl)
BINARY(double, fmod)
BINARY(float, fmodf)
BINARY(long double, fmodl)
BINARY(float, hypotf)
BINARY(long double, hypotl)
BESSEL(jn)
GAMMA_R(double, lgamma_r)
GAMMA_R(float, lgammaf_r)
GAMMA_R(long double, lgammal_r)
UNARY(double, log)
UNARY(double, log10)
UNARY(float, log10f)
UNARY(long double, log10l)
UNARY(float, log1pf)
UNARY(long double, log1pl)
UNARY(double, log2)
UNARY(float, log2f)
UNARY(long double, log2l)
UNARY(float, logbf)
UNARY(long double, logbl)
UNARY(float, logf)
UNARY(long double, logl)
NAN_TAG(float, nanf)
NAN_TAG(long double, nanl)
UNARY(double, nearbyint)
UNARY(float, nearbyintf)
UNARY(long double, nearbyintl)
BINARY(float, nextafterf)
BINARY(long double, nextafterl)
BINARY(float, powf)
BINARY(long double, powl)
BINARY(double, remainder)
BINARY(float, remainderf)
BINARY(long double, remainderl)
REMQUO(double, remquo)
REMQUO(float, remquof)
REMQUO(long double, remquol)
UNARY(double, rint)
UNARY(float, rintf)
UNARY(long double, rintl)
UNARY(double, round)
UNARY(float, roundf)
UNARY(long double, roundl)
UNARY(double, sin)
UNARY(float, sinf)
UNARY(float, sinhf)
UNARY(long double, sinhl)
UNARY(long double, sinl)
UNARY(double, sqrt)
UNARY(float, sqrtf)
UNARY(long double, sqrtl)
UNARY(float, tanf)
UNARY(float, tanhf)
UNARY(long double, tanhl)
UNARY(long double, tanl)
UNARY(float, tgammaf)
UNARY(long double, tgammal)
UNARY(double, trunc)
UNARY(float, truncf)
UNARY(long double, truncl)
BESSEL(yn)
