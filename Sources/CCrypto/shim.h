// OpenSSL's libcrypto (Debian: libssl-dev), for SHA-256 of model files and dataset fingerprints: its digest uses the
// CPU's SHA extensions where there are some (about 10x a portable implementation on large models).
#include <openssl/evp.h>
#include <openssl/err.h>
