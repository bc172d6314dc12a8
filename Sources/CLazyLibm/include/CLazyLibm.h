// No declarations: the target only defines libm's names (see lazy_libm.c), linked into `bridge`.
