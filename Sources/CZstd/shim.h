// The system libzstd (Debian: libzstd-dev). ZSTD_STATIC_LINKING_ONLY is not defined: only the
// stable API is used, so any libzstd >= 1.4 shared library works.
#include <zstd.h>
#include <zstd_errors.h>
