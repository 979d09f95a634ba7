/// A dataset that cannot be read: which file (or folder) and why.
public struct DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder concerned.
    public var path: String
    public var message: String

    public init(_ message: String, path: String) {
        self.path = path
        self.message = message
    }

    /// "path: message"
    public var description: String { "\(path): \(message)" }
}
