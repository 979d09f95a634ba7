/// An HDF5 operation failed: the file, what GenLab was doing, and HDF5's own error stack.
public struct HDF5Error: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(_ message: String, path: String) {
        self.path = path
        self.message = message
    }

    /// "path: message"
    public var description: String { "\(path): \(message)" }
}
