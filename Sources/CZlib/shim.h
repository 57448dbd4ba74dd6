// zlib (Debian: zlib1g-dev), for .gz datasets and PNG writing.
#include <zlib.h>
