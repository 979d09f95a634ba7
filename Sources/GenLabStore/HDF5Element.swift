import CHDF5

/// A number type HDF5 datasets and attributes hold.
public protocol HDF5Element: Numeric, Sendable {
    /// HDF5's native type id for it.
    static var nativeType: hid_t { get }
}

extension Float: HDF5Element { public static var nativeType: hid_t { genlab_H5T_NATIVE_FLOAT() } }
extension Double: HDF5Element { public static var nativeType: hid_t { genlab_H5T_NATIVE_DOUBLE() } }
extension Int64: HDF5Element { public static var nativeType: hid_t { genlab_H5T_NATIVE_INT64() } }
extension UInt8: HDF5Element { public static var nativeType: hid_t { genlab_H5T_NATIVE_UINT8() } }
