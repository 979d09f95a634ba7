import GenLabCore

/// `DurableWrite` for the files this module writes, its failures as run-file errors.
public enum DurableFile {
    /// `DurableWrite.replace`: the file at `path` replaced by `bytes`, atomically and durably.
    public static func replace(_ path: String, with bytes: [UInt8]) throws(HDF5Error) {
        do { try DurableWrite.replace(path, with: bytes) } catch { throw HDF5Error(.io, error.message, path: error.path) }
    }

    /// `DurableWrite.synchronize`: the file or folder at `path` flushed to disk.
    static func synchronize(_ path: String) throws(HDF5Error) {
        do { try DurableWrite.synchronize(path) } catch { throw HDF5Error(.io, error.message, path: error.path) }
    }
}
