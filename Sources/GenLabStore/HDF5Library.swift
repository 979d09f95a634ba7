import CHDF5

/// Facts about the HDF5 C library GenLab is linked against.
public enum HDF5Library {
    /// "major.minor.release" of the linked libhdf5.
    public static var version: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
        return "\(major).\(minor).\(release)"
    }
}
