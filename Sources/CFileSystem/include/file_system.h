#ifndef EMBEVAL_FILE_SYSTEM_H
#define EMBEVAL_FILE_SYSTEM_H

/// Swaps the two paths `a` and `b` in one atomic step (Linux renameat2 with RENAME_EXCHANGE): a reader sees either
/// the old entry or the new one at each path, never neither. Returns 0, or -1 with errno set (ENOSYS or EINVAL
/// where the kernel or file system cannot exchange).
int embeval_exchange_paths(const char *a, const char *b);

#endif
