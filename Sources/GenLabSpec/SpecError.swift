/// A place in an experiment file: path, 1-based line and column.
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// "file:line:column"
    public var description: String { "\(file):\(line):\(column)" }
}

/// Something wrong with an experiment file, at a place in it.
public struct SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where; nil only for problems with the file as a whole (it cannot be read).
    public var location: SourceLocation?
    /// What is wrong, in words.
    public var message: String

    public init(_ message: String, at location: SourceLocation?) {
        self.location = location
        self.message = message
    }

    /// "file:line:column: message", as compilers print errors.
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}
