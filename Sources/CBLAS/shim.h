// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), plus the one LAPACK routine Embeval calls.
#include <cblas.h>

// LAPACK dsyevd (Fortran ABI): eigenvalues (and optionally eigenvectors) of a real symmetric matrix.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info);

// LAPACK dgeqrf / dorgqr (Fortran ABI): QR factorisation of a column-major m×n matrix, then the explicit m×n Q.
// Used by the randomized PCA's range finder.
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work, const int *lwork,
             int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda, const double *tau, double *work,
             const int *lwork, int *info);
