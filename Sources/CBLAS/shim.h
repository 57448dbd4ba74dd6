// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), plus the one LAPACK routine Embeval calls.
#include <cblas.h>

// LAPACK dsyevd (Fortran ABI): eigenvalues (and optionally eigenvectors) of a real symmetric matrix.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);
