// The system zlib (Debian: zlib1g-dev), used for gzip members (RFC 1952).
#include <zlib.h>
