/// A failure a user can meet, reported the same way everywhere: the file concerned, the place
/// in it, a typed reason that tests and callers match, and the message derived from them.
///
/// The command line prints every `GenLabError` once, at the top, as `description`
/// ("file:place: message") and exits 1.
public protocol GenLabError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; its cases are the error's vocabulary.
    associatedtype Reason: Equatable & Sendable
    /// The file or folder concerned (experiment, dataset, run file); empty when none.
    var file: String { get }
    /// Where in `file`: "line:column" in an experiment file, a key or object path in a run
    /// file; nil for the file as a whole.
    var place: String? { get }
    var reason: Reason { get }
    /// What is wrong, in words (without the file and place).
    var message: String { get }
}

extension GenLabError {
    /// "file:place: message", as compilers print errors.
    public var description: String {
        let prefix = [file.isEmpty ? nil : file, place].compactMap { $0 }.joined(separator: ":")
        return prefix.isEmpty ? message : "\(prefix): \(message)"
    }
}
