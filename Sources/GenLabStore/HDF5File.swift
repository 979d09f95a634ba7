import CHDF5
import Foundation
import GenLabCore

/// An open HDF5 file. Objects are addressed by '/'-separated paths from the root; groups
/// are created on demand. All calls hold the process-wide HDF5 lock.
public final class HDF5File {
    public enum Mode: Sendable {
        /// A new file, replacing any file at the path.
        case create
        /// A new file held in memory only (nothing is written at the path); `image()` gives
        /// its bytes, which the caller writes where and how it wants.
        case createInMemory
        case readOnly
        case readWrite
    }

    public let path: String
    let id: hid_t
    private var isOpen = true

    /// Opens or creates the file at `path`.
    public init(path: String, mode: Mode) throws(HDF5Error) {
        self.path = path
        id = try HDF5Library.locked { () throws(HDF5Error) -> hid_t in
            switch mode {
            case .create:
                return try HDF5Library.valid(H5Fcreate(path, genlab_H5F_ACC_TRUNC(), genlab_H5P_DEFAULT(), genlab_H5P_DEFAULT()),
                                             "cannot create the HDF5 file", path: path)
            case .createInMemory:
                let access = try HDF5Library.valid(H5Pcreate(genlab_H5P_FILE_ACCESS()), "cannot create a property list", path: path)
                defer { H5Pclose(access) }
                try HDF5Library.check(H5Pset_fapl_core(access, 1 << 20, false), "cannot select the in-memory driver", path: path)
                return try HDF5Library.valid(H5Fcreate(path, genlab_H5F_ACC_TRUNC(), genlab_H5P_DEFAULT(), access),
                                             "cannot create the in-memory HDF5 file", path: path)
            case .readOnly, .readWrite:
                guard FileManager.default.fileExists(atPath: path) else { throw HDF5Error(.missing, "no such file", path: path) }
                if let irregularity = PrivateFile.irregularity(path) { throw HDF5Error(.io, "cannot open the file: it is \(irregularity)", path: path) }
                guard access(path, mode == .readOnly ? R_OK : R_OK | W_OK) == 0 else {
                    throw HDF5Error(.io, "cannot open the file: \(String(cString: strerror(errno)))", path: path)
                }
                guard H5Fis_hdf5(path) > 0 else {
                    _ = HDF5Library.takeErrorStack()
                    throw HDF5Error(.notARun, "not an HDF5 file (truncated, or some other format)", path: path)
                }
                let flags = mode == .readOnly ? genlab_H5F_ACC_RDONLY() : genlab_H5F_ACC_RDWR()
                return try HDF5Library.valid(H5Fopen(path, flags, genlab_H5P_DEFAULT()),
                                             "cannot open the HDF5 file (damaged?)", path: path)
            }
        }
    }

    deinit { try? close() }

    /// Writes everything to disk and closes the file; later calls do nothing.
    public func close() throws(HDF5Error) {
        guard isOpen else { return }
        isOpen = false
        try HDF5Library.locked { () throws(HDF5Error) in
            if let list = linkCreationList { H5Pclose(list) }
            try HDF5Library.check(H5Fclose(id), "cannot close the file", path: path)
        }
    }

    /// The complete bytes of the file as it would be on disk (for an in-memory file).
    public func image() throws(HDF5Error) -> [UInt8] {
        try HDF5Library.locked { () throws(HDF5Error) -> [UInt8] in
            try HDF5Library.check(H5Fflush(id, H5F_SCOPE_GLOBAL), "cannot flush the file", path: path)
            let size = H5Fget_file_image(id, nil, 0)
            guard size >= 0 else { throw HDF5Error(.damaged, "cannot get the file's image" + HDF5Library.takeErrorStack(), path: path) }
            var bytes = [UInt8](repeating: 0, count: size)
            let written = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
            guard written == size else { throw HDF5Error(.damaged, "cannot get the file's image" + HDF5Library.takeErrorStack(), path: path) }
            return bytes
        }
    }

    /// Pushes buffered data to the file.
    public func flush() throws(HDF5Error) {
        try HDF5Library.locked { () throws(HDF5Error) in
            try HDF5Library.check(H5Fflush(id, H5F_SCOPE_GLOBAL), "cannot flush the file", path: path)
        }
    }

    /// Whether an object exists at `objectPath` ("/history/step").
    public func exists(_ objectPath: String) -> Bool {
        HDF5Library.locked {
            var prefix = ""
            for component in objectPath.split(separator: "/") {
                prefix += "/" + component
                if H5Lexists(id, prefix, HDF5Library.linkAccess) <= 0 {
                    _ = HDF5Library.takeErrorStack()
                    return false
                }
            }
            return true
        }
    }

    /// Whether the object at `objectPath` is a group.
    public func isGroup(_ objectPath: String) -> Bool {
        guard exists(objectPath) else { return false }
        return HDF5Library.locked {
            let object = H5Oopen(id, objectPath, HDF5Library.linkAccess)
            guard object >= 0 else { return false }
            defer { H5Oclose(object) }
            return H5Iget_type(object) == H5I_GROUP
        }
    }

    /// The names of the members of the group at `groupPath`, sorted.
    public func children(_ groupPath: String) throws(HDF5Error) -> [String] {
        try HDF5Library.locked { () throws(HDF5Error) -> [String] in
            let group = try HDF5Library.valid(H5Oopen(id, groupPath, HDF5Library.linkAccess), "no group \(groupPath)", path: path)
            defer { H5Oclose(group) }
            var info = H5G_info_t()
            try HDF5Library.check(H5Gget_info(group, &info), "cannot list \(groupPath)", path: path)
            var names: [String] = []
            for i in 0..<info.nlinks {
                let size = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, genlab_H5P_DEFAULT())
                guard size >= 0 else { throw HDF5Error(.damaged, "cannot list \(groupPath)" + HDF5Library.takeErrorStack(), path: path) }
                var buffer = [CChar](repeating: 0, count: Int(size) + 1)
                H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, size + 1, genlab_H5P_DEFAULT())
                names.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            }
            return names.sorted()
        }
    }

    /// Creates the group at `groupPath` and any missing parents (no-op if it exists).
    public func createGroup(_ groupPath: String) throws(HDF5Error) {
        guard !exists(groupPath) else { return }
        try HDF5Library.locked { () throws(HDF5Error) in
            let group = try HDF5Library.valid(H5Gcreate2(id, groupPath, try linkCreation(), genlab_H5P_DEFAULT(), genlab_H5P_DEFAULT()),
                                              "cannot create group \(groupPath)", path: path)
            H5Gclose(group)
        }
    }

    /// A link-creation property list that creates missing parent groups.
    func linkCreation() throws(HDF5Error) -> hid_t {
        if let cached = linkCreationList { return cached }
        let list = try HDF5Library.valid(H5Pcreate(genlab_H5P_LINK_CREATE()), "cannot create a property list", path: path)
        H5Pset_create_intermediate_group(list, 1)
        linkCreationList = list
        return list
    }
    private var linkCreationList: hid_t?

    /// Opens the object at `objectPath` for the duration of `body`.
    func withObject<T>(_ objectPath: String, _ body: (hid_t) throws(HDF5Error) -> T) throws(HDF5Error) -> T {
        try HDF5Library.locked { () throws(HDF5Error) -> T in
            guard exists(objectPath) else { throw HDF5Error(.damaged, "no object \(objectPath)", path: path) }
            let object = try HDF5Library.valid(H5Oopen(id, objectPath, HDF5Library.linkAccess), "cannot open \(objectPath)", path: path)
            defer { H5Oclose(object) }
            return try body(object)
        }
    }
}

extension HDF5File {
    /// Copies the object at `objectPath` of `source` (a group with everything below it, or a
    /// dataset with its chunking and filters) to the same path in this file.
    public func copy(_ objectPath: String, from source: HDF5File) throws(HDF5Error) {
        try HDF5Library.locked { () throws(HDF5Error) in
            try HDF5Library.check(H5Ocopy(source.id, objectPath, id, objectPath, genlab_H5P_DEFAULT(), try linkCreation()),
                                  "cannot copy \(objectPath) from \(source.path)", path: path)
        }
    }
}

extension HDF5File {
    /// Where an external link points: a file (as written in the link, relative to the
    /// linking file's folder) and an object path in it.
    public struct ExternalTarget: Equatable, Sendable {
        public var file: String
        public var object: String
    }

    /// Creates an external link at `linkPath` (parents created) to `target`; HDF5 looks for a
    /// relative file first beside the file that holds the link.
    public func linkExternal(_ linkPath: String, to target: ExternalTarget) throws(HDF5Error) {
        try HDF5Library.locked { () throws(HDF5Error) in
            try HDF5Library.check(H5Lcreate_external(target.file, target.object, id, linkPath, try linkCreation(), genlab_H5P_DEFAULT()),
                                  "cannot link \(linkPath) to \(target.file)", path: path)
        }
    }

    /// The target of the external link at `linkPath`; nil when it is not an external link.
    public func externalTarget(_ linkPath: String) throws(HDF5Error) -> ExternalTarget? {
        try HDF5Library.locked { () throws(HDF5Error) -> ExternalTarget? in
            var size = 0
            let external = genlab_link_is_external(id, linkPath, &size)
            try HDF5Library.check(external, "no link \(linkPath)", path: path)
            guard external == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: size)
            try HDF5Library.check(H5Lget_val(id, linkPath, &buffer, buffer.count, genlab_H5P_DEFAULT()),
                                  "cannot read the link \(linkPath)", path: path)
            var flags: UInt32 = 0
            var file: UnsafePointer<CChar>?
            var object: UnsafePointer<CChar>?
            try HDF5Library.check(H5Lunpack_elink_val(&buffer, buffer.count, &flags, &file, &object),
                                  "cannot read the external link \(linkPath)", path: path)
            guard let file, let object else { throw HDF5Error(.damaged, "the external link \(linkPath) has no target", path: path) }
            return ExternalTarget(file: String(cString: file), object: String(cString: object))
        }
    }
}
