import GenLabData
import GenLabModels
import GenLabNN
import GenLabSpec
import GenLabStore

/// Why a run could not start or did not finish: every failure a user can meet, with the
/// file concerned.
public struct RunError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder concerned (experiment, dataset, run file).
    public var path: String
    public var message: String

    public init(_ message: String, path: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    init(_ error: SpecError) { self.init(error.message, path: error.location?.description ?? "") }
    init(_ error: DataError) { self.init(error.message, path: error.path) }
    init(_ error: HDF5Error) { self.init(error.message, path: error.path) }
    init(_ error: RunStateError) { self.init(error.message, path: error.path) }
}
