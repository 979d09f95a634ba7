import GenLabCore

/// A run file that cannot be read or written: the file, the reason, and what GenLab was doing
/// (with HDF5's own error stack where it has one).
public struct HDF5Error: GenLabError, Equatable {
    /// What is wrong with the file.
    public enum Reason: Equatable, Sendable {
        /// There is no such file.
        case missing
        /// The system refuses to open, read or write it (permissions, full disk, I/O).
        case io
        /// Not HDF5, or HDF5 but not a GenLab run, or a run from a newer GenLab.
        case notARun
        /// A GenLab run with objects missing, mis-shaped or inconsistent (damaged?).
        case damaged
        /// GenLab was asked to store something inconsistent (a programming error caught).
        case invalidRecord
    }

    public var path: String
    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String, path: String) {
        self.path = path
        self.reason = reason
        self.message = message
    }

    public var file: String { path }
    public var place: String? { nil }
}
