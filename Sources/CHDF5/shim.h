// HDF5 for Swift: the C API plus functions wrapping the macros Swift cannot import
// (they expand to global ids that only exist after H5open, or to casts).
#ifndef GENLAB_CHDF5_SHIM_H
#define GENLAB_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t genlab_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t genlab_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t genlab_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t genlab_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t genlab_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t genlab_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t genlab_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t genlab_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t genlab_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t genlab_H5P_LINK_ACCESS(void) { return H5P_LINK_ACCESS; }
static inline hid_t genlab_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t genlab_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline unsigned genlab_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned genlab_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned genlab_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned genlab_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline hsize_t genlab_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline size_t genlab_H5T_VARIABLE(void) { return H5T_VARIABLE; }

/// Whether the link `name` at `location` is external (1), another kind (0) or unreadable (−1);
/// for an external link, `size` gets the size of its value. (H5Lget_info is a macro over
/// versioned functions in HDF5 1.12 and later.)
static inline int genlab_link_is_external(hid_t location, const char *name, size_t *size) {
    H5L_info_t info;
    if (H5Lget_info(location, name, &info, H5P_DEFAULT) < 0) return -1;
    if (info.type != H5L_TYPE_EXTERNAL) return 0;
    *size = info.u.val_size;
    return 1;
}

#endif
