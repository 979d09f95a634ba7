/// A failure concerning a file as a whole (a dataset file or folder, a run file): its path,
/// a typed reason of the module that reads it, and the message.
public struct FileError<Reason: Equatable & Sendable>: GenLabError, Equatable {
    /// The file or folder concerned.
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
