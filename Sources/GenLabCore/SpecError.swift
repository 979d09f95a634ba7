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

/// Something wrong with an experiment file (or a `--set` override), at a place in it.
public struct SpecError: GenLabError, Equatable {
    /// What kind of problem the file has.
    public enum Reason: Equatable, Sendable {
        /// The file cannot be opened, is too large, a folder, or not UTF-8.
        case unreadable
        /// Not valid YAML, or YAML GenLab does not take (aliases, huge expansions).
        case syntax
        /// A key, value, layer or optimizer name GenLab does not know.
        case unknownName
        /// A required key is absent.
        case missingKey
        /// A value of the wrong kind (a list where a number belongs, …).
        case wrongType
        /// A number outside its allowed range, or an empty list.
        case outOfRange
        /// A key that does not apply to this model, likelihood or decoder.
        case notApplicable
        /// A value that breaks a rule between values (an output padding not below its
        /// stride, a spectral norm on a layer without weights, …).
        case invalidValue
        /// A network's layers do not fit their inputs or the dataset's images.
        case shapeMismatch
        /// The model or a batch would not fit in this machine's memory.
        case tooLarge
        /// A setting this machine's CPU cannot run (bf16 without AMX or AVX512-BF16).
        case unsupportedHardware
        /// A sweep or `--set` override that cannot apply.
        case sweep
    }

    /// Where; nil only for problems with the file as a whole (it cannot be read).
    public var location: SourceLocation?
    public var reason: Reason
    /// What is wrong, in words.
    public var message: String

    public init(_ reason: Reason, _ message: String, at location: SourceLocation?) {
        self.location = location
        self.reason = reason
        self.message = message
    }

    public var file: String { location?.file ?? "" }
    /// "line:column".
    public var place: String? { location.map { "\($0.line):\($0.column)" } }
}
