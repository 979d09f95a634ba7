import CHDF5
import Foundation

/// Process-wide HDF5 state: the lock that serialises every call (the library is built
/// without thread safety), automatic error printing switched off, and the error stack turned
/// into text.
public enum HDF5Library {
    private static let lock = NSRecursiveLock()
    private static let initialised: Bool = {
        H5open()
        H5Eset_auto2(genlab_H5E_DEFAULT(), nil, nil)
        return true
    }()

    /// Runs `body` holding the HDF5 lock, with the library initialised.
    static func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        _ = initialised
        return try body()
    }

    /// The link-access property list every object is opened with: an external link (a
    /// running run's records) is followed only to a regular file named relative to the file
    /// that holds the link, in its folder or below, never up (`..`), to an absolute path, or
    /// through a symbolic link, FIFO or device (a hostile link would otherwise read any file,
    /// or block forever on a FIFO).
    static let linkAccess: hid_t = locked {
        let list = H5Pcreate(genlab_H5P_LINK_ACCESS())
        H5Pset_elink_cb(list, { parentFile, _, childFile, _, flags, _, _ in
            guard let parentFile, let childFile else { return -1 }
            let child = String(cString: childFile)
            guard !child.isEmpty, !child.hasPrefix("/"), !child.split(separator: "/").contains("..") else { return -1 }
            let folder = (String(cString: parentFile) as NSString).deletingLastPathComponent
            var status = stat()
            guard lstat(folder.isEmpty ? child : "\(folder)/\(child)", &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return -1 }
            flags?.pointee = genlab_H5F_ACC_RDONLY()
            return 0
        }, nil)
        return list
    }

    /// "major.minor.release" of the linked libhdf5.
    public static var version: String {
        locked {
            var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
            guard H5get_libversion(&major, &minor, &release) >= 0 else { return "unknown" }
            return "\(major).\(minor).\(release)"
        }
    }

    /// The descriptions on HDF5's error stack (innermost last), which is then cleared.
    static func takeErrorStack() -> String {
        var messages: [String] = []
        withUnsafeMutablePointer(to: &messages) { pointer in
            _ = H5Ewalk2(genlab_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, description, client in
                guard let description, let client else { return 0 }
                let list = client.assumingMemoryBound(to: [String].self)
                if let text = description.pointee.desc.map({ String(cString: $0) }), !text.isEmpty {
                    list.pointee.append(text)
                }
                return 0
            }, pointer)
        }
        H5Eclear2(genlab_H5E_DEFAULT())
        return messages.isEmpty ? "" : " (HDF5: " + messages.joined(separator: "; ") + ")"
    }

    /// Throws an HDF5Error for `path` when `status` is negative.
    static func check(_ status: herr_t, _ what: @autoclosure () -> String, path: String) throws(HDF5Error) {
        if status < 0 { throw HDF5Error(.damaged, what() + takeErrorStack(), path: path) }
    }

    /// Returns `id`, or throws an HDF5Error for `path` when it is negative.
    static func valid(_ id: hid_t, _ what: @autoclosure () -> String, path: String) throws(HDF5Error) -> hid_t {
        if id < 0 { throw HDF5Error(.damaged, what() + takeErrorStack(), path: path) }
        return id
    }
}
