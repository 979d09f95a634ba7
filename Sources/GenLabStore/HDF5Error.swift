import GenLabCore

/// A run file that cannot be read or written: the file, the reason, and what GenLab was doing
/// (with HDF5's own error stack where it has one).
public typealias HDF5Error = FileError<RunFileProblem>

/// What is wrong with a run file.
public enum RunFileProblem: Equatable, Sendable {
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
