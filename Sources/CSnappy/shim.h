// Snappy's C interface (Debian: libsnappy-dev), for parquet pages written with the SNAPPY codec.
#include <snappy-c.h>
