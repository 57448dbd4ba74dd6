#define _GNU_SOURCE
#include "file_system.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif

int embeval_exchange_paths(const char *a, const char *b) {
#if defined(__linux__) && defined(SYS_renameat2)
    // RENAME_EXCHANGE from <linux/fs.h>: the flag value is part of the kernel ABI.
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2u);
#else
    (void)a;
    (void)b;
    errno = ENOSYS;
    return -1;
#endif
}
